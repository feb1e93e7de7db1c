#include "service/metrics/registry.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace neardup::metrics {
namespace {

// A sample value: integers without a fraction, others in shortest form.
std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  return absl::StrFormat("%.9g", v);
}

void Header(std::string* out, const std::string& name, const std::string& help,
            const std::string& type) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

}  // namespace

std::string EscapeLabel(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Registry::ObserveCall(std::string_view method, std::string_view code,
                           double seconds) {
  const size_t bucket = std::lower_bound(kLatencyBuckets.begin(),
                                         kLatencyBuckets.end(), seconds) -
                        kLatencyBuckets.begin();
  absl::MutexLock lock(&mu_);
  Histogram& h = calls_[{std::string(method), std::string(code)}];
  if (bucket < h.buckets.size()) ++h.buckets[bucket];
  ++h.count;
  h.sum += seconds;
}

void Registry::AddValue(std::string name, std::string help, std::string type,
                        std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  values_.push_back(Value{std::move(name), std::move(help), std::move(type), "",
                          std::move(read), nullptr});
}

void Registry::AddLabeled(std::string name, std::string help, std::string type,
                          std::string label, std::function<Labeled()> read) {
  absl::MutexLock lock(&mu_);
  values_.push_back(Value{std::move(name), std::move(help), std::move(type),
                          std::move(label), nullptr, std::move(read)});
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  const std::string rpc = "neardup_rpc_duration_seconds";
  Header(&out, rpc,
         "Time from a call's arrival to its status, by rpc and status code.",
         "histogram");
  for (const auto& [key, h] : calls_) {
    const std::string labels =
        absl::StrCat("method=\"", EscapeLabel(key.first), "\",code=\"",
                     EscapeLabel(key.second), "\"");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      absl::StrAppend(&out, rpc, "_bucket{", labels, ",le=\"",
                      Number(kLatencyBuckets[i]), "\"} ", cumulative, "\n");
    }
    absl::StrAppend(&out, rpc, "_bucket{", labels, ",le=\"+Inf\"} ", h.count,
                    "\n", rpc, "_sum{", labels, "} ", Number(h.sum), "\n", rpc,
                    "_count{", labels, "} ", h.count, "\n");
  }
  for (const Value& v : values_) {
    Header(&out, v.name, v.help, v.type);
    if (v.read) {
      absl::StrAppend(&out, v.name, " ", Number(v.read()), "\n");
      continue;
    }
    for (const auto& [label, value] : v.read_labeled()) {
      absl::StrAppend(&out, v.name, "{", v.label, "=\"", EscapeLabel(label),
                      "\"} ", Number(value), "\n");
    }
  }
  return out;
}

}  // namespace neardup::metrics
