#include "service/index/postings.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rocksdb/slice.h"

namespace neardup::index::postings {
namespace {

void PutVarint(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}

// Reads one varint at *p (< end); false if truncated or over 64 bits.
bool GetVarint(const char** p, const char* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    const uint64_t byte = static_cast<unsigned char>(*(*p)++);
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

// One change to a list: the document, and whether it is removed.
struct Change {
  uint64_t docnum;
  bool removed;
  size_t order;  // position among all operands' changes
};

bool AppendChanges(const rocksdb::Slice& operand, std::vector<Change>* out) {
  const char* p = operand.data();
  const char* end = p + operand.size();
  while (p < end) {
    uint64_t v = 0;
    if (!GetVarint(&p, end, &v)) return false;
    out->push_back({v >> 1, (v & 1) != 0, out->size()});
  }
  return true;
}

class MergeOperator : public rocksdb::MergeOperator {
 public:
  // The list after every change in order: the last change to a document
  // decides, others keep what the value had.
  bool FullMergeV2(const MergeOperationInput& in,
                   MergeOperationOutput* out) const override {
    std::vector<uint64_t> base;
    if (in.existing_value != nullptr &&
        !Decode(std::string_view(in.existing_value->data(),
                                 in.existing_value->size()),
                &base)) {
      return false;  // RocksDB reports Corruption for the key
    }
    std::vector<Change> changes;
    for (const rocksdb::Slice& op : in.operand_list) {
      if (!AppendChanges(op, &changes)) return false;
    }
    std::sort(
        changes.begin(), changes.end(), [](const Change& a, const Change& b) {
          return a.docnum != b.docnum ? a.docnum < b.docnum : a.order < b.order;
        });
    std::vector<uint64_t> merged;
    merged.reserve(base.size() + changes.size());
    size_t i = 0, j = 0;
    while (i < base.size() || j < changes.size()) {
      if (j == changes.size() ||
          (i < base.size() && base[i] < changes[j].docnum)) {
        merged.push_back(base[i++]);
        continue;
      }
      // The last change to this document decides.
      const uint64_t d = changes[j].docnum;
      while (j + 1 < changes.size() && changes[j + 1].docnum == d) ++j;
      if (!changes[j].removed) merged.push_back(d);
      ++j;
      if (i < base.size() && base[i] == d) ++i;
    }
    out->new_value = Encode(merged);
    return true;
  }

  // Operands concatenate: applying the result is applying each in turn.
  bool PartialMergeMulti(const rocksdb::Slice&,
                         const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value,
                         rocksdb::Logger*) const override {
    new_value->clear();
    for (const rocksdb::Slice& op : operands) {
      new_value->append(op.data(), op.size());
    }
    return true;
  }

  const char* Name() const override { return "neardup.postings"; }
};

class EmptyList : public rocksdb::CompactionFilter {
 public:
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value,
              std::string*, bool*) const override {
    return value.empty();
  }
  const char* Name() const override { return "neardup.empty_postings"; }
};

}  // namespace

std::string AddOperand(uint64_t docnum) {
  std::string s;
  PutVarint(&s, docnum << 1);
  return s;
}

std::string RemoveOperand(uint64_t docnum) {
  std::string s;
  PutVarint(&s, docnum << 1 | 1);
  return s;
}

std::string Encode(const std::vector<uint64_t>& docnums) {
  std::string s;
  uint64_t prev = 0;
  for (uint64_t d : docnums) {
    PutVarint(&s, d - prev);
    prev = d;
  }
  return s;
}

bool Decode(std::string_view value, std::vector<uint64_t>* out) {
  const char* p = value.data();
  const char* end = p + value.size();
  uint64_t prev = 0;
  bool first = true;
  while (p < end) {
    uint64_t delta = 0;
    if (!GetVarint(&p, end, &delta)) return false;
    if ((!first && delta == 0) || delta > ~prev) return false;  // not ascending
    first = false;
    prev += delta;
    out->push_back(prev);
  }
  return true;
}

std::shared_ptr<rocksdb::MergeOperator> NewMergeOperator() {
  return std::make_shared<MergeOperator>();
}

const rocksdb::CompactionFilter* EmptyListFilter() {
  static const EmptyList* const filter = new EmptyList;
  return filter;
}

}  // namespace neardup::index::postings
