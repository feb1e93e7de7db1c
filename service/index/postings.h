// Posting lists of the near-duplicate index: one RocksDB key per bucket
// (an LSH band's key, a SimHash table's masked bits, an exact digest),
// whose value lists the documents in it. A write adds or removes one
// document with a merge operand, so it reads nothing; a probe is one point
// lookup per bucket (MultiGet, filtered per table file on the whole key)
// instead of a prefix scan per bucket.
//
// Encodings (varints as in protobuf):
//   operand  one or more varint(docnum << 1 | removed), applied in order
//   value    the documents, ascending, as varint deltas from 0
// A merge applies operands in order to the value (adding a present
// document or removing an absent one changes nothing), so replaying a
// write is harmless. Lists left empty are dropped by the compaction filter.
// A list that does not decode fails its merge: RocksDB reports Corruption
// for reads of that key (Verify names it), and a flush or compaction that
// meets it stops the database's writes until it is repaired.
//
// Example:
//   batch.Merge(cf, bucket_key, postings::AddOperand(docnum));
//   ...MultiGet...
//   std::vector<uint64_t> docs;
//   if (!postings::Decode(value, &docs)) { /* DATA_LOSS */ }

#ifndef NEARDUP_SERVICE_INDEX_POSTINGS_H_
#define NEARDUP_SERVICE_INDEX_POSTINGS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rocksdb/compaction_filter.h"
#include "rocksdb/merge_operator.h"

namespace neardup::index::postings {

std::string AddOperand(uint64_t docnum);
std::string RemoveOperand(uint64_t docnum);

// The value holding `docnums` (ascending, distinct).
std::string Encode(const std::vector<uint64_t>& docnums);

// Appends the documents of a value to `out`; false if it is corrupt (a
// truncated varint, or not ascending).
bool Decode(std::string_view value, std::vector<uint64_t>* out);

// The merge operator and compaction filter of the postings family.
std::shared_ptr<rocksdb::MergeOperator> NewMergeOperator();
const rocksdb::CompactionFilter* EmptyListFilter();

}  // namespace neardup::index::postings

#endif  // NEARDUP_SERVICE_INDEX_POSTINGS_H_
