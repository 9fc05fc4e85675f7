#include "attest/collateral_cache.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/file.h"
#include "core/hex.h"
#include "core/log.h"
#include "core/time_format.h"

namespace s3ml::attest {
namespace {

std::span<const uint8_t> AsBytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

Result<int64_t> CrlNextUpdate(const crypto::X509Crl& crl, std::string_view name) {
  auto next = crl.NextUpdate();
  if (!next.ok()) return next.status().WithContext(name);
  if (!next->has_value()) return InvalidArgument(std::string(name) + " has no nextUpdate");
  return **next;
}

}  // namespace

Result<int64_t> EarliestNextUpdate(const Collateral& collateral) {
  int64_t earliest = std::min(collateral.tcb_info.next_update, collateral.qe_identity.next_update);
  S3ML_ASSIGN_OR_RETURN(int64_t pck, CrlNextUpdate(collateral.pck_crl, "PCK CRL"));
  S3ML_ASSIGN_OR_RETURN(int64_t root, CrlNextUpdate(collateral.root_ca_crl, "root CA CRL"));
  return std::min({earliest, pck, root});
}

CollateralCache::CollateralCache(std::string directory, PccsClient* pccs, const Clock* clock)
    : directory_(std::move(directory)), pccs_(pccs), clock_(clock) {}

std::string CollateralCache::EntryDirectory(const CollateralKey& key) const {
  return directory_ + "/" + HexEncode(key.fmspc) + "-" + std::string(PckCaTypeName(key.ca));
}

CollateralCacheStats CollateralCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

Result<Collateral> CollateralCache::ReadCurrentEntry(const CollateralKey& key, int64_t now) {
  std::string entry = EntryDirectory(key);
  std::error_code ec;
  if (!std::filesystem::is_directory(entry, ec)) return NotFound("no cache entry " + entry);
  auto collateral = LoadCollateralDirectory(entry);
  if (!collateral.ok()) return DataLoss("cache entry " + entry + " unusable: " + collateral.status().message());
  if (collateral->tcb_info.fmspc != key.fmspc) {
    return DataLoss("cache entry " + entry + " holds TCB Info for FMSPC " + HexEncode(collateral->tcb_info.fmspc));
  }
  auto next_update = EarliestNextUpdate(*collateral);
  if (!next_update.ok()) return DataLoss("cache entry " + entry + ": " + next_update.status().message());
  if (now >= *next_update) {
    return OutOfRange("cache entry " + entry + " expired at " + FormatRfc3339(*next_update));
  }
  return collateral;
}

Status CollateralCache::WriteEntry(const CollateralKey& key, const CollateralFiles& files) {
  std::string entry = EntryDirectory(key);
  std::error_code ec;
  std::filesystem::create_directories(entry, ec);
  if (ec) return Unavailable("cannot create cache entry " + entry + ": " + ec.message());
  std::filesystem::permissions(entry, std::filesystem::perms::owner_all, ec);
  if (ec) return Unavailable("cannot set permissions of " + entry + ": " + ec.message());
  auto write = [&](const char* name, std::span<const uint8_t> data) {
    Status s = WriteFileAtomic(entry + "/" + name, data, 0644);
    return s.ok() ? s : s.WithContext("cache entry " + entry);
  };
  S3ML_RETURN_IF_ERROR(write("tcb_info.json", AsBytes(files.tcb_info_json)));
  S3ML_RETURN_IF_ERROR(write("tcb_info_issuer_chain.pem", AsBytes(files.tcb_info_issuer_chain_pem)));
  S3ML_RETURN_IF_ERROR(write("qe_identity.json", AsBytes(files.qe_identity_json)));
  S3ML_RETURN_IF_ERROR(write("qe_identity_issuer_chain.pem", AsBytes(files.qe_identity_issuer_chain_pem)));
  S3ML_RETURN_IF_ERROR(write("pck_crl.der", files.pck_crl));
  S3ML_RETURN_IF_ERROR(write("pck_crl_issuer_chain.pem", AsBytes(files.pck_crl_issuer_chain_pem)));
  S3ML_RETURN_IF_ERROR(write("root_ca_crl.der", files.root_ca_crl));
  return Status::Ok();
}

Result<Collateral> CollateralCache::Get(const CollateralKey& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t now = clock_->NowUnixSeconds();
  auto cached = ReadCurrentEntry(key, now);
  if (cached.ok()) {
    ++stats_.hits;
    return cached;
  }
  if (cached.status().code() == StatusCode::kDataLoss) {
    ++stats_.discarded;
    Log(LogLevel::kWarning, "collateral_cache", cached.status().message() + "; refetching");
  }
  ++stats_.fetches;
  CollateralFiles files;
  auto collateral = pccs_->FetchCollateral(key, &files);
  if (!collateral.ok()) return collateral;
  // Only well-formed responses are cached; a failed write costs a refetch later, not an error now.
  Status written = WriteEntry(key, files);
  if (!written.ok()) Log(LogLevel::kWarning, "collateral_cache", "collateral not cached: " + written.ToString());
  return collateral;
}

Result<Collateral> CollateralCache::CollateralFor(const SgxQuote& quote) {
  S3ML_ASSIGN_OR_RETURN(CollateralKey key, CollateralKeyOf(quote));
  return Get(key);
}

}  // namespace s3ml::attest
