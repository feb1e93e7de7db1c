#include "service/index/types.h"

namespace neardup::index {

bool DocumentKeys::SharesAnyWith(const DocumentKeys& o) const {
  if (digest == o.digest) return true;
  for (size_t i = 0; i < bands.size() && i < o.bands.size(); ++i) {
    if (bands[i] == o.bands[i]) return true;
  }
  for (size_t i = 0; i < simhash.size() && i < o.simhash.size(); ++i) {
    if (simhash[i] == o.simhash[i]) return true;
  }
  return false;
}

DocumentKeys KeysOf(const sketch::Fingerprint& fp, sketch::LshParams lsh,
                    uint32_t simhash_distance) {
  return {fp.digest, sketch::BandKeys(fp.minhash, lsh),
          sketch::SimHashKeys(fp.simhash, static_cast<int>(simhash_distance))};
}

}  // namespace neardup::index
