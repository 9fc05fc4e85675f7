#include "ecs/ecs_state.h"

namespace s3ml::ecs {

EcsState EcsState::Clone() const {
  EcsState copy;
  copy.version = version;
  copy.created_at = created_at;
  copy.root_ca_certificate_pem = root_ca_certificate_pem;
  copy.root_ca_private_key_pem = root_ca_private_key_pem.Clone();
  copy.intermediate_certificate_pem = intermediate_certificate_pem;
  copy.intermediate_private_key_pem = intermediate_private_key_pem.Clone();
  copy.service_private_key_pem = service_private_key_pem.Clone();
  copy.manifest = manifest;
  for (const auto& [name, key] : model_keys) copy.model_keys.emplace(name, key.Clone());
  copy.audit = audit;
  copy.audit_anchor = audit_anchor;
  return copy;
}

}  // namespace s3ml::ecs
