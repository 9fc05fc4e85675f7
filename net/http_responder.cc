#include "net/http_responder.h"

#include <atomic>

namespace s3ml::net {

struct HttpResponder::State {
  explicit State(Deliver d) : deliver(std::move(d)) {}
  ~State() {
    if (!answered.exchange(true)) {
      deliver(HttpResponse::Error(500, "the request handler finished without a response"));
    }
  }
  Deliver deliver;
  std::atomic<bool> answered{false};
};

HttpResponder::HttpResponder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void HttpResponder::operator()(HttpResponse response) const {
  if (!state_->answered.exchange(true)) state_->deliver(std::move(response));
}

bool HttpResponder::answered() const { return state_->answered.load(); }

}  // namespace s3ml::net
