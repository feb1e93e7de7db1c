// `neardup audit`: the batch audit, two ways.
//
//   neardup audit INPUT... --out DIR [options]   local, on every core, no
//                                                server (service/audit)
//   neardup audit -c COLL --out DIR [options]    a stored collection, on
//                                                the server (Audit rpc)
//
// Both write the same outputs (clusters.jsonl, duplicates.tsv,
// summary.json, report.html) into DIR through audit::ReportWriter.
// Progress goes to standard error: a status line on a terminal,
// --progress=json one JSON object per line, --quiet nothing.

#ifndef NEARDUP_CLIENT_AUDIT_COMMAND_H_
#define NEARDUP_CLIENT_AUDIT_COMMAND_H_

#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/args.h"
#include "client/client.h"
#include "service/audit/audit.h"

namespace neardup::client {

// What the audit command needs of the CLI around it.
struct AuditEnvironment {
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool err_is_terminal = false;
  // Connects to the server (collection audits only).
  std::function<absl::StatusOr<Client*>()> connect;
  // Set when the error returned is a usage error (exit status 2).
  bool usage_error = false;
};

// Runs `neardup audit` with `args` (args.positional[0] == "audit").
absl::Status RunAuditCommand(const Args& args, AuditEnvironment* env);

// The options LocalAuditOptions reads.
const std::set<std::string>& LocalAuditOptionNames();

// The options of a local audit of `inputs` into `dir` from the command's
// `args` (the parameters, --threads, --memory-limit, the reader's
// options); INVALID_ARGUMENT with a message for the user.
absl::StatusOr<audit::AuditOptions> LocalAuditOptions(
    const Args& args, const std::vector<std::string>& inputs,
    const std::string& dir);

// The audit part of the CLI's help text.
const char* AuditUsage();

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_AUDIT_COMMAND_H_
