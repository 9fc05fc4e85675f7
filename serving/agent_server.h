// AgentServer: the TCP port HAProxy's agent-check connects to. On each connection it writes one
// line, the current answer of `answer` (e.g. "up 100%\n", or "drain\n" while shutting down), and
// closes (after discarding whatever the peer sends, such as an agent-send string, for at most a
// couple of seconds). The answer comes from a function so that a weight policy (the app plugs in
// the EPC-driven one, cluster/weight_policy.h) needs no change here. One thread; Stop() is idempotent and the destructor stops.
#ifndef S3ML_SERVING_AGENT_SERVER_H_
#define S3ML_SERVING_AGENT_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"

namespace s3ml::serving {

using AgentAnswer = std::function<std::string()>;

// "drain\n" once `draining` says so (shutting down always wins), otherwise `policy`'s answer.
AgentAnswer DrainOverrides(std::function<bool()> draining, AgentAnswer policy);
// The default policy: "up 100%\n", or "drain\n" once `draining` says so.
AgentAnswer FixedWeightAgentAnswer(std::function<bool()> draining);

class AgentServer {
 public:
  // port 0 picks a free port. `answer` is called on the server's thread, once per connection.
  AgentServer(std::string address, uint16_t port, AgentAnswer answer);
  ~AgentServer();
  AgentServer(const AgentServer&) = delete;
  AgentServer& operator=(const AgentServer&) = delete;

  // Binds and starts serving; kUnavailable when the address cannot be bound.
  Status Start();
  uint16_t port() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3ml::serving

#endif  // S3ML_SERVING_AGENT_SERVER_H_
