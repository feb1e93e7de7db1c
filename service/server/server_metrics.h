// The metrics neardupd exports besides its per-rpc latency histograms:
// the document pools (queued, peak, refused), admission (bytes in flight,
// refusals), RocksDB (table and memtable sizes, running flushes and
// compactions, stalls, background errors), the disk the database is on,
// open files, and the documents of each collection.

#ifndef NEARDUP_SERVICE_SERVER_SERVER_METRICS_H_
#define NEARDUP_SERVICE_SERVER_SERVER_METRICS_H_

#include "service/api/admission.h"
#include "service/index/store.h"
#include "service/metrics/registry.h"

namespace neardup::server {

// Adds them to `registry`. Everything passed must outlive the registry's
// last Render.
void RegisterServerMetrics(const index::Store* store,
                           const api::Admission* admission,
                           metrics::Registry* registry);

}  // namespace neardup::server

#endif  // NEARDUP_SERVICE_SERVER_SERVER_METRICS_H_
