// PrepareDatabase and MarkForResync (node.h): a replica's database fetched
// whole from its primary.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "neardup/v1/replication.grpc.pb.h"
#include "service/common/logging.h"
#include "service/common/status_macros.h"
#include "service/index/store.h"
#include "service/replication/node.h"
#include "service/replication/position.h"

namespace neardup::replication {
namespace {

namespace fs = std::filesystem;

std::string ResyncMarker(const std::string& db_path) {
  return db_path + ".resync";
}

bool HoldsDatabase(const std::string& db_path) {
  std::error_code ec;
  return fs::exists(fs::path(db_path) / "CURRENT", ec);
}

// Streams the primary's checkpoint into `dir`; returns its epoch.
absl::StatusOr<int64_t> Fetch(const NodeOptions& options,
                              const std::string& address,
                              const std::string& dir) {
  auto stub = v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  v1::CheckpointRequest req;
  req.set_replica(options.name);
  auto reader = stub->Checkpoint(&ctx, req);
  v1::CheckpointChunk chunk;
  int64_t epoch = -1;
  std::string open_name;
  std::ofstream out;
  uint64_t bytes = 0;
  while (reader->Read(&chunk)) {
    if (epoch < 0) epoch = chunk.epoch();
    if (chunk.file().empty() || chunk.file().find('/') != std::string::npos ||
        chunk.file() == "." || chunk.file() == "..") {
      ctx.TryCancel();
      reader->Finish();
      return absl::DataLossError(absl::StrCat(
          "checkpoint from ", address, " names file '", chunk.file(), "'"));
    }
    if (chunk.file() != open_name) {
      if (out.is_open()) out.close();
      open_name = chunk.file();
      out.open(fs::path(dir) / open_name, std::ios::binary | std::ios::trunc);
    }
    out.write(chunk.data().data(),
              static_cast<std::streamsize>(chunk.data().size()));
    bytes += chunk.data().size();
    if (!out) {
      ctx.TryCancel();
      reader->Finish();
      return absl::InternalError(
          absl::StrCat("write ", (fs::path(dir) / open_name).string()));
    }
  }
  if (out.is_open()) out.close();
  const grpc::Status s = reader->Finish();
  if (!s.ok()) {
    return absl::Status(
        static_cast<absl::StatusCode>(s.error_code()),
        absl::StrCat("checkpoint from ", address, ": ", s.error_message()));
  }
  if (epoch < 0) {
    return absl::DataLossError(
        absl::StrCat("checkpoint from ", address, " was empty"));
  }
  NEARDUP_LOG(kInfo, absl::StrCat("fetched a checkpoint of ", bytes,
                                  " bytes from ", address, ", epoch ", epoch));
  return epoch;
}

}  // namespace

absl::Status MarkForResync(const std::string& db_path, const std::string& why) {
  std::ofstream out(ResyncMarker(db_path), std::ios::trunc);
  out << why << "\n";
  out.close();
  if (!out) {
    return absl::InternalError(
        absl::StrCat("cannot write ", ResyncMarker(db_path)));
  }
  return absl::OkStatus();
}

absl::Status PrepareDatabase(const NodeOptions& options, EtcdClient& etcd,
                             const std::string& db_path, absl::Duration wait) {
  std::error_code ec;
  const bool marked = fs::exists(ResyncMarker(db_path), ec);
  if (!marked && HoldsDatabase(db_path)) return absl::OkStatus();
  const std::string key = GroupPrefix(options.group) + "primary";
  const absl::Time deadline = absl::Now() + wait;
  const std::string incoming = db_path + ".incoming";
  absl::Status last = absl::UnavailableError("no primary in etcd");
  int64_t epoch = -1;
  // Until a primary (not this node's last life) hands over a whole
  // checkpoint, or `wait` passes: the primary may die meanwhile, and
  // another be elected.
  while (epoch < 0) {
    absl::StatusOr<std::optional<EtcdClient::KeyValue>> primary = etcd.Get(key);
    if (primary.ok() && primary->has_value()) {
      const std::string& v = (*primary)->value;
      const size_t nl = v.find('\n');
      if (nl != std::string::npos && v.substr(0, nl) != options.name) {
        fs::remove_all(incoming, ec);
        fs::create_directories(incoming, ec);
        if (ec) {
          return absl::InternalError(
              absl::StrCat("cannot create ", incoming, ": ", ec.message()));
        }
        absl::StatusOr<int64_t> fetched =
            Fetch(options, v.substr(nl + 1), incoming);
        if (fetched.ok()) {
          epoch = *fetched;
          break;
        }
        last = fetched.status();
      }
    } else if (primary.ok() && !marked) {
      // A group starting for the first time: this node opens an empty
      // database and takes part in the first election.
      return absl::OkStatus();
    } else if (!primary.ok()) {
      last = primary.status();
    }
    if (absl::Now() >= deadline) {
      return absl::UnavailableError(
          absl::StrCat("no checkpoint of group ", options.group, " within ",
                       absl::FormatDuration(wait), ": ", last.message()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  {
    // Where the checkpoint ends, in the primary's numbering.
    index::Store::Options o;
    o.path = incoming;
    NEARDUP_ASSIGN_OR_RETURN(std::unique_ptr<index::Store> store,
                             index::Store::Open(o));
    const Position at{epoch, store->LatestSequence()};
    NEARDUP_RETURN_IF_ERROR(
        store->PutMeta(kAppliedKey, FormatPosition(at)).status());
    NEARDUP_LOG(kInfo,
                absl::StrCat("checkpoint is at position ", FormatPosition(at)));
  }
  const std::string old = db_path + ".old";
  fs::remove_all(old, ec);
  if (fs::exists(db_path, ec)) fs::rename(db_path, old, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot move ", db_path, " to ", old, ": ", ec.message()));
  }
  fs::rename(incoming, db_path, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot move ", incoming, " to ",
                                            db_path, ": ", ec.message()));
  }
  fs::remove(ResyncMarker(db_path), ec);
  return absl::OkStatus();
}

}  // namespace neardup::replication
