// `neardup admin`: the operator's commands.
//
//   neardup admin verify                 the Verify rpc: the whole database
//                                        checked while serving
//   neardup admin backup [--verify]      the Backup rpc: an online backup
//                                        into the server's --backup_dir
//   neardup admin backups                the backups there
//   neardup admin restore BACKUP_DIR DB_DIR [--id N]
//                                        offline, on the machine holding
//                                        the backups: backup N (default the
//                                        latest) verified and restored
//                                        into the new directory DB_DIR
//
// Exit status as the CLI's: `verify` of a damaged database is an error.

#ifndef NEARDUP_CLIENT_ADMIN_COMMAND_H_
#define NEARDUP_CLIENT_ADMIN_COMMAND_H_

#include "absl/status/status.h"
#include "client/args.h"
#include "client/audit_command.h"

namespace neardup::client {

// Runs `neardup admin ...` (args.positional[0] == "admin"); `env` as for
// the audit (its connect is used for the online commands).
absl::Status RunAdminCommand(const Args& args, AuditEnvironment* env);

// The admin part of the CLI's help text.
const char* AdminUsage();

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_ADMIN_COMMAND_H_
