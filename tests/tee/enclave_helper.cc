// A tiny "enclave program" for the tests: it asks the simulated quoting daemon (through
// SimPlatform, as s3ml-server would) for a quote, its identity, or seals/unseals a file, and
// prints the result. The tests copy, configure and sign this binary like a real enclave.
//   enclave_helper quote SOCKET REPORT_DATA_HEX     -> quote hex on stdout
//   enclave_helper identity SOCKET                  -> "mrenclave mrsigner prodid svn debug"
//   enclave_helper seal SOCKET POLICY LABEL IN OUT  -> writes the sealed blob
//   enclave_helper unseal SOCKET LABEL IN           -> plaintext on stdout
// Errors: "ERROR <StatusCode>: <message>" on stderr, exit code 1 (2 for bad usage).
#include <cstdio>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/hex.h"
#include "tee/sealing.h"
#include "tee/sim/sim_platform.h"

namespace {

using namespace s3ml;

int Fail(const Status& s) {
  std::fprintf(stderr, "ERROR %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2) {
    std::fprintf(stderr, "usage: enclave_helper quote|identity|seal|unseal SOCKET ...\n");
    return 2;
  }
  tee::sim::SimPlatform platform(args[1]);
  const std::string& cmd = args[0];
  if (cmd == "quote" && args.size() == 3) {
    auto report_data = HexDecode(args[2]);
    if (!report_data.ok()) return Fail(report_data.status());
    auto quote = platform.GetQuote(report_data.value());
    if (!quote.ok()) return Fail(quote.status());
    std::printf("%s\n", HexEncode(quote.value()).c_str());
    return 0;
  }
  if (cmd == "identity" && args.size() == 2) {
    auto id = platform.SelfIdentity();
    if (!id.ok()) return Fail(id.status());
    std::printf("%s %s %u %u %d\n", HexEncode(id->mrenclave).c_str(), HexEncode(id->mrsigner).c_str(), id->isv_prod_id,
                id->isv_svn, id->debug ? 1 : 0);
    return 0;
  }
  if (cmd == "seal" && args.size() == 6) {
    auto policy = tee::ParseSealKeyPolicy(args[2]);
    if (!policy.ok()) return Fail(policy.status());
    auto plain = ReadFileBytes(args[4]);
    if (!plain.ok()) return Fail(plain.status());
    auto sealed = tee::Seal(platform, policy.value(), args[3], plain.value());
    if (!sealed.ok()) return Fail(sealed.status());
    Status written = WriteFileAtomic(args[5], sealed.value(), 0600);
    return written.ok() ? 0 : Fail(written);
  }
  if (cmd == "unseal" && args.size() == 4) {
    auto sealed = ReadFileBytes(args[3]);
    if (!sealed.ok()) return Fail(sealed.status());
    auto plain = tee::Unseal(platform, args[2], sealed.value());
    if (!plain.ok()) return Fail(plain.status());
    std::fwrite(plain->data(), 1, plain->size(), stdout);
    return 0;
  }
  std::fprintf(stderr, "enclave_helper: bad arguments for '%s'\n", cmd.c_str());
  return 2;
}
