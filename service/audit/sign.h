// The sign stage of a local audit: documents read from the inputs
// (corpus::Reader), numbered in input order, fingerprinted in parallel
// (engine::Pipeline, the server's pipeline) and written as chunks of the
// signed corpus (signed.h), each a sorted run per LSH band, of a size set
// by the memory limit. Reading runs ahead of fingerprinting by one chunk.
//
// Resumable: complete chunks are kept, and their documents are read past
// (not fingerprinted again) when a killed run is started again.

#ifndef NEARDUP_SERVICE_AUDIT_SIGN_H_
#define NEARDUP_SERVICE_AUDIT_SIGN_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "service/audit/marker.h"
#include "service/audit/stage.h"
#include "service/corpus/reader.h"

namespace neardup::audit {

// Where a document of `reader` is, for messages: "PATH", "PATH:LINE" or
// "PATH: record N at byte offset X".
std::string PlaceOf(const corpus::Reader& reader, const corpus::Document& doc);

// How a document found by the reader is read by the pipeline.
text::InputOptions InputOf(const corpus::Document& doc);

// Signs the documents of `inputs` into ctx.dir + "/sign". A document that
// cannot be read or has no text fails the stage with a message naming its
// place, unless reader.skip_bad, which counts it. On success `stats`
// holds: documents, bad, bytes, damaged_files, ignored_records, and up to
// 10 "problem" messages.
absl::Status SignCorpus(const StageContext& ctx,
                        const std::vector<std::string>& inputs,
                        const corpus::ReaderOptions& reader, Marker* stats);

// The body of SignCorpus: signs what `reader` reads into `dir`, numbering
// documents from 0 (resuming after the complete chunks there). `stats`
// receives documents, bad, bytes, damaged_files, ignored_records, up to
// 10 "problem" (documents that did not read) and up to 10 "file_problem"
// (what ended files early). Zero documents is not an error here.
absl::Status SignReader(const StageContext& ctx, const std::string& dir,
                        corpus::Reader* reader, bool skip_bad, Marker* stats);

// The sign stage's marker from SignReader's stats of the parts of the
// corpus, in input order: the sums, and the first 10 problems (documents
// first, then files).
Marker SignStageMarker(const std::vector<Marker>& parts);

}  // namespace neardup::audit

#endif  // NEARDUP_SERVICE_AUDIT_SIGN_H_
