#include "tests/attest/pccs/test_pccs_server.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <stdexcept>

#include "core/hex.h"
#include "net/http_response.h"

namespace s3ml::attest::testing {
namespace {

using net::HttpRequest;
using net::HttpResponder;
using net::HttpResponse;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::map<std::string, std::string> QueryParams(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    params[std::string(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return params;
}

// Facts from testdata/sgx/README.md, kept independent of the code under test.
struct SampleFacts {
  std::string fmspc;
  std::string ca;
};
SampleFacts FactsOf(const std::string& sample) {
  if (sample == "dcap-qvl") return {"00a067110000", "processor"};
  return {"00606a000000", "platform"};
}

struct Served {
  SgxSample sample;
  SgxSample other;  // for kOtherFmspcTcbInfo
  SampleFacts facts;
  bool hex_root_crl = true;
};

}  // namespace

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '!' || c == '*' || c == '\'' ||
        c == '(' || c == ')') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

TestPccsServer::TestPccsServer(const std::string& sample, const net::testing::TestIdentity& server, bool hex_root_crl)
    : requests_(std::make_shared<std::atomic<uint64_t>>(0)),
      fault_(std::make_shared<std::atomic<PccsFault>>(PccsFault::kNone)) {
  auto served = std::make_shared<Served>();
  served->sample = LoadSample(sample);
  served->other = LoadSample(sample == "dcap-qvl" ? "automata" : "dcap-qvl");
  served->facts = FactsOf(sample);
  served->hex_root_crl = hex_root_crl;

  auto requests = requests_;
  auto fault = fault_;
  // Wraps a handler with the request counter and the faults common to every path.
  auto serve = [requests, fault](std::function<HttpResponse(const HttpRequest&, PccsFault)> body) {
    return [requests, fault, body](HttpRequest request, HttpResponder respond) {
      requests->fetch_add(1);
      PccsFault f = fault->load();
      if (f == PccsFault::kNotFound) return respond(HttpResponse::Error(404, "no such collateral"));
      if (f == PccsFault::kServerError) return respond(HttpResponse::Error(503, "PCS unreachable"));
      respond(body(request, f));
    };
  };
  auto chain_header = [](HttpResponse* r, std::string_view name, const std::string& pem, PccsFault f) {
    if (f == PccsFault::kMissingHeader) return;
    std::string value = UrlEncode(pem);
    if (f == PccsFault::kBadHeaderEscape) value = "%G1" + value;
    r->headers.Set(name, value);
  };

  net::Router router;
  auto add = [&router](std::string_view path, net::HttpHandler handler) {
    Status s = router.Add("GET", path, std::move(handler));
    if (!s.ok()) throw std::runtime_error(s.ToString());
  };
  add("/sgx/certification/v4/tcb", serve([served, chain_header](const HttpRequest& req, PccsFault f) {
        auto params = QueryParams(req.query);
        if (Lower(params["fmspc"]) != served->facts.fmspc) return HttpResponse::Error(404, "unknown fmspc");
        const SgxSample& s = f == PccsFault::kOtherFmspcTcbInfo ? served->other : served->sample;
        HttpResponse r = HttpResponse::Json(200, s.files.tcb_info_json);
        if (f == PccsFault::kGarbageTcbInfo) r.body = "<html>maintenance</html>";
        if (f == PccsFault::kOversizedTcbInfo) r.body.append(2 << 20, ' ');
        chain_header(&r, "TCB-Info-Issuer-Chain", s.files.tcb_info_issuer_chain_pem, f);
        return r;
      }));
  add("/sgx/certification/v4/qe/identity", serve([served, chain_header](const HttpRequest&, PccsFault f) {
        HttpResponse r = HttpResponse::Json(200, served->sample.files.qe_identity_json);
        chain_header(&r, "SGX-Enclave-Identity-Issuer-Chain", served->sample.files.qe_identity_issuer_chain_pem, f);
        return r;
      }));
  add("/sgx/certification/v4/pckcrl", serve([served, chain_header](const HttpRequest& req, PccsFault f) {
        auto params = QueryParams(req.query);
        if (params["ca"] != served->facts.ca) return HttpResponse::Error(404, "unknown ca");
        if (params["encoding"] != "der") return HttpResponse::Error(400, "test server serves DER only");
        const auto& der = served->sample.files.pck_crl;
        HttpResponse r;
        r.status = 200;
        r.headers.Set("Content-Type", "application/pkix-crl");
        r.body.assign(der.begin(), der.end());
        if (f == PccsFault::kGarbageCrl) r.body = "\x30\x82 definitely not a CRL";
        chain_header(&r, "SGX-PCK-CRL-Issuer-Chain", served->sample.files.pck_crl_issuer_chain_pem, f);
        return r;
      }));
  add("/sgx/certification/v4/rootcacrl", serve([served](const HttpRequest&, PccsFault) {
        const auto& der = served->sample.files.root_ca_crl;
        HttpResponse r;
        r.status = 200;
        if (served->hex_root_crl) {
          r.body = HexEncode(der);
          r.headers.Set("Content-Type", "text/plain");
        } else {
          r.body.assign(der.begin(), der.end());
          r.headers.Set("Content-Type", "application/pkix-crl");
        }
        return r;
      }));

  net::TlsServerOptions tls;
  tls.certificate_chain_pem = server.certificate_pem;
  tls.private_key_pem = server.private_key_pem;
  auto context = net::TlsContext::CreateServer(tls);
  if (!context.ok()) throw std::runtime_error(context.status().ToString());
  net::HttpServerOptions options;
  options.tls = std::move(context).value();
  server_ = std::make_unique<net::HttpServer>(std::move(options), std::move(router));
  Status started = server_->Start();
  if (!started.ok()) throw std::runtime_error(started.ToString());
}

TestPccsServer::~TestPccsServer() { server_->Shutdown(std::chrono::milliseconds(0)); }

std::string TestPccsServer::base_url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

}  // namespace s3ml::attest::testing
