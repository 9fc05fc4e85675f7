// HttpResponder: how a request handler answers, now or later, from any thread.
//
// A handler receives one; it (or any copy) may be called once, e.g. from a batching thread after
// inference, so IO threads never wait for work. Later calls are ignored. If every copy is dropped
// without answering, the client gets 500 {"error": "..."} instead of a hung connection.
#ifndef S3ML_NET_HTTP_RESPONDER_H_
#define S3ML_NET_HTTP_RESPONDER_H_

#include <functional>
#include <memory>

#include "net/http_request.h"
#include "net/http_response.h"

namespace s3ml::net {

class HttpResponder {
 public:
  using Deliver = std::function<void(HttpResponse)>;

  // `deliver` must be callable from any thread.
  explicit HttpResponder(Deliver deliver);

  // Sends the response (the first call only). Thread-safe; never blocks on the network.
  void operator()(HttpResponse response) const;
  bool answered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

using HttpHandler = std::function<void(HttpRequest request, HttpResponder respond)>;

}  // namespace s3ml::net

#endif  // S3ML_NET_HTTP_RESPONDER_H_
