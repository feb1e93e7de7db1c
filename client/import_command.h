// `neardup collections import COLL SOURCE...`: bulk import through the
// Import rpc.
//
//   SOURCE = the directory of a `neardup audit` run: its signed corpus is
//            sent as it is, no text read again (--survivors-only: only
//            the documents the audit kept, one per cluster and every
//            document in none);
//   SOURCE = corpus inputs (files, directories, JSON Lines, WARC, as
//            `neardup audit` reads them): fingerprinted here, on every
//            core, with the collection's parameters.
//
// The collection is created if it does not exist (from an audit with the
// audit's parameters, otherwise with the flags of `collections create`)
// and must be empty if it does. Nothing is stored unless everything is:
// the server ingests the whole import at the end, in one step. Progress
// goes to standard error on a terminal (--progress=text|none, --quiet).

#ifndef NEARDUP_CLIENT_IMPORT_COMMAND_H_
#define NEARDUP_CLIENT_IMPORT_COMMAND_H_

#include "absl/status/status.h"
#include "client/args.h"
#include "client/audit_command.h"

namespace neardup::client {

// Runs `neardup collections import` (args.positional[0..1] ==
// "collections", "import"), through `env` (the audit command's, which
// has what it needs: output streams and the connection).
absl::Status RunImportCommand(const Args& args, AuditEnvironment* env);

// The import part of the CLI's help text.
const char* ImportUsage();

}  // namespace neardup::client

#endif  // NEARDUP_CLIENT_IMPORT_COMMAND_H_
