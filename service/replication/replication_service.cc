#include "service/replication/replication_service.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/common/logging.h"

namespace neardup::replication {
namespace {

// Bytes of log gathered into one message, and of a checkpoint's file.
constexpr size_t kBatchBytes = size_t{1} << 20;
constexpr size_t kChunkBytes = size_t{1} << 20;
// A message without writes this often, for the replica's staleness.
constexpr absl::Duration kHeartbeat = absl::Milliseconds(100);
// Writes arriving this soon after a message are sent together.
constexpr absl::Duration kGather = absl::Milliseconds(2);

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

}  // namespace

grpc::Status ReplicationService::Pull(
    grpc::ServerContext* ctx, const v1::PullRequest* req,
    grpc::ServerWriter<v1::LogBatch>* writer) {
  absl::StatusOr<uint64_t> start = node_->StartOfPull(
      {req->from().epoch(), req->from().sequence()}, req->known_epoch());
  if (!start.ok()) return ToGrpc(start.status());
  const int64_t epoch = node_->Status().epoch;
  NEARDUP_LOG(kInfo,
              absl::StrCat("replica ", req->replica(), " pulls from ",
                           req->from().epoch(), ":", req->from().sequence(),
                           " (local ", *start, ")"));
  uint64_t after = *start;
  std::unique_ptr<index::Store::LogReader> log = store_->ReadLogAfter(after);
  absl::Time sent = absl::InfinitePast();
  while (!ctx->IsCancelled() && !node_->stopping() &&
         node_->IsPrimaryOf(epoch)) {
    std::vector<index::Store::LogEntry> entries;
    absl::Status s = log->Read(kBatchBytes, &entries);
    if (!s.ok()) return ToGrpc(s);
    if (entries.empty() && absl::Now() - sent < kHeartbeat) {
      node_->WaitForWrite(after, kHeartbeat);
      continue;
    }
    if (const absl::Duration since = absl::Now() - sent;
        !entries.empty() && since < kGather && !node_->options().ack_replica) {
      // The last message left less than kGather ago: writes come in
      // quick succession, so gather what the rest of it brings into this
      // one (fewer, larger messages: less work on both sides for at most
      // kGather more lag). Not when writes wait for a replica's report.
      absl::SleepFor(kGather - since);
      s = log->Read(kBatchBytes, &entries);
      if (!s.ok()) return ToGrpc(s);
    }
    v1::LogBatch batch;
    batch.set_epoch(epoch);
    for (index::Store::LogEntry& e : entries) {
      v1::LogEntry* out = batch.add_entries();
      out->set_sequence(e.sequence);
      out->set_count(e.count);
      out->set_data(std::move(e.data));
      after = e.sequence + e.count - 1;
    }
    batch.set_primary_sequence(std::max(after, store_->LatestSequence()));
    batch.set_primary_time_micros(absl::ToUnixMicros(absl::Now()));
    if (!writer->Write(batch)) break;
    sent = absl::Now();
  }
  if (!node_->IsPrimaryOf(epoch)) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        absl::StrCat("this node is no longer the primary of "
                                     "epoch ",
                                     epoch));
  }
  return grpc::Status::OK;
}

grpc::Status ReplicationService::Ack(grpc::ServerContext*,
                                     const v1::AckRequest* req,
                                     v1::AckResponse*) {
  node_->RecordAck(req->replica(),
                   {req->applied().epoch(), req->applied().sequence()});
  return grpc::Status::OK;
}

grpc::Status ReplicationService::Checkpoint(
    grpc::ServerContext* ctx, const v1::CheckpointRequest* req,
    grpc::ServerWriter<v1::CheckpointChunk>* writer) {
  const NodeStatus status = node_->Status();
  if (status.role != "primary") {
    return grpc::Status(
        grpc::StatusCode::FAILED_PRECONDITION,
        absl::StrCat("not the primary; the primary is ", status.primary));
  }
  static std::atomic<int> serial{0};
  // Beside the database: the same file system, so table files are linked,
  // not copied.
  const std::string dir =
      absl::StrCat(store_->path(), ".checkpoint-", getpid(), "-", serial++);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  absl::Status made = store_->CreateCheckpoint(dir);
  if (!made.ok()) return ToGrpc(made);
  NEARDUP_LOG(kInfo, absl::StrCat("checkpoint for replica ", req->replica(),
                                  " in ", dir));
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  grpc::Status result = grpc::Status::OK;
  bool first = true;
  std::string buffer(kChunkBytes, '\0');
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    uint64_t offset = 0;
    do {
      in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      const size_t n = static_cast<size_t>(in.gcount());
      if (in.bad()) {
        result = grpc::Status(grpc::StatusCode::INTERNAL,
                              absl::StrCat("read ", path.string()));
        break;
      }
      v1::CheckpointChunk chunk;
      chunk.set_file(path.filename().string());
      chunk.set_offset(offset);
      chunk.set_data(buffer.data(), n);
      if (first) chunk.set_epoch(status.epoch);
      first = false;
      if (ctx->IsCancelled() || !writer->Write(chunk)) {
        result = grpc::Status(grpc::StatusCode::CANCELLED, "replica left");
        break;
      }
      offset += n;
    } while (in.good());
    if (!result.ok()) break;
  }
  std::filesystem::remove_all(dir, ec);
  return result;
}

grpc::Status ReplicationService::GetPosition(grpc::ServerContext*,
                                             const v1::GetPositionRequest*,
                                             v1::NodePosition* resp) {
  const NodeStatus s = node_->Status();
  resp->set_node(node_->options().name);
  resp->set_role(s.role);
  resp->mutable_position()->set_epoch(s.position.epoch);
  resp->mutable_position()->set_sequence(s.position.sequence);
  resp->set_primary(s.primary);
  resp->set_lag_writes(s.lag_writes);
  resp->set_lag_micros(s.lag == absl::InfiniteDuration()
                           ? -1
                           : absl::ToInt64Microseconds(s.lag));
  return grpc::Status::OK;
}

}  // namespace neardup::replication
