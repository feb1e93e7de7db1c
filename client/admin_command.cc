#include "client/admin_command.h"

#include <optional>
#include <ostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "client/client.h"
#include "service/index/store.h"
#include "service/report/text_format.h"

namespace neardup::client {
namespace {

absl::Status UsageError(AuditEnvironment* env, const std::string& message) {
  env->usage_error = true;
  return absl::InvalidArgumentError(message);
}

std::string Time(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

void PrintBackup(const v1::BackupInfo& b, std::ostream& out) {
  out << "backup " << b.id() << "  " << Time(b.create_time_unix()) << "  "
      << report::WithCommas(b.size_bytes()) << " bytes in " << b.files()
      << " files\n";
}

absl::Status Verify(const Args& args, AuditEnvironment* env, Client* client) {
  auto r = client->Verify();
  if (!r.ok()) return r.status();
  std::ostream& out = *env->out;
  if (args.Flag("json")) {
    out << "{\"clean\":" << (r->clean() ? "true" : "false")
        << ",\"documents\":" << r->documents()
        << ",\"index_keys\":" << r->index_keys()
        << ",\"missing_keys\":" << r->missing_keys()
        << ",\"orphan_keys\":" << r->orphan_keys() << "}\n";
  } else {
    out << (r->clean() ? "clean" : "DAMAGED") << ": " << r->collections()
        << " collections, " << report::WithCommas(r->documents())
        << " documents, " << report::WithCommas(r->index_keys())
        << " index keys; " << r->missing_keys() << " missing, "
        << r->orphan_keys() << " orphaned (" << r->seconds() << " s)\n";
    for (const std::string& p : r->problems()) out << "  " << p << "\n";
  }
  if (!r->clean()) {
    return absl::DataLossError("the database is damaged (see above)");
  }
  return absl::OkStatus();
}

absl::Status Restore(const Args& args, AuditEnvironment* env) {
  if (args.positional.size() != 4) {
    return UsageError(
        env, "usage: neardup admin restore BACKUP_DIR DB_DIR [--id N]");
  }
  std::optional<uint32_t> id;
  if (args.Has("id")) {
    auto n = ParseUint("id", args.Value("id"));
    if (!n.ok()) return UsageError(env, std::string(n.status().message()));
    id = *n;
  }
  auto restored =
      index::Store::RestoreBackup(args.positional[2], id, args.positional[3]);
  if (!restored.ok()) return restored.status();
  *env->out << "restored backup " << restored->id << " of "
            << Time(restored->create_time_unix) << " into "
            << args.positional[3] << "; start neardupd with --db "
            << args.positional[3] << "\n";
  return absl::OkStatus();
}

}  // namespace

const char* AdminUsage() {
  return R"(Operations (an admin token on a server with tokens):
  admin verify                  check the whole database while it serves
                                (exit 1 if damaged)
  admin backup [--verify]       online backup into the server's --backup_dir
  admin backups                 the backups there, oldest first
  admin restore BACKUP_DIR DB_DIR [--id N]
                                offline: restore backup N (default the
                                latest) into the new directory DB_DIR
)";
}

absl::Status RunAdminCommand(const Args& args, AuditEnvironment* env) {
  if (args.positional.size() < 2) {
    return UsageError(env,
                      "usage: neardup admin verify|backup|backups|restore");
  }
  const std::string sub = args.positional[1];
  absl::Status allowed =
      AllowOnly(args, "admin " + sub,
                sub == "backup"    ? std::set<std::string>{"verify"}
                : sub == "restore" ? std::set<std::string>{"id"}
                                   : std::set<std::string>{});
  if (!allowed.ok()) return UsageError(env, std::string(allowed.message()));
  if (sub == "restore") return Restore(args, env);
  if (sub != "verify" && sub != "backup" && sub != "backups") {
    return UsageError(env, absl::StrCat("unknown admin command: ", sub));
  }
  if (args.positional.size() != 2) {
    return UsageError(env, absl::StrCat("admin ", sub, " takes no arguments"));
  }
  absl::StatusOr<Client*> client = env->connect();
  if (!client.ok()) return client.status();
  if (sub == "verify") return Verify(args, env, *client);
  if (sub == "backup") {
    v1::BackupRequest req;
    req.set_verify(args.Flag("verify"));
    auto b = (*client)->Backup(req);
    if (!b.ok()) return b.status();
    PrintBackup(*b, *env->out);
    return absl::OkStatus();
  }
  auto list = (*client)->ListBackups();
  if (!list.ok()) return list.status();
  if (list->backups().empty()) *env->out << "no backups\n";
  for (const v1::BackupInfo& b : list->backups()) PrintBackup(b, *env->out);
  return absl::OkStatus();
}

}  // namespace neardup::client
