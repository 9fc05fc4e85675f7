// Boot of the ECS state: load the committed state from the StateStore or, on first boot, create
// the CA (certificate_authority.h), record "first_boot" in the audit log and commit it before
// anything is served, so that every instance of a deployment sees the same root from then on.
// Also re-issues the intermediate CA when it is due and commits that.
#ifndef S3ML_ECS_ECS_BOOT_H_
#define S3ML_ECS_ECS_BOOT_H_

#include "core/clock.h"
#include "core/status.h"
#include "ecs/ecs_state.h"
#include "ecs/state_store.h"

namespace s3ml::ecs {

struct BootedState {
  EcsState state;
  bool first_boot = false;
};

Result<BootedState> LoadOrCreateState(StateStore& store, const Clock& clock);

}  // namespace s3ml::ecs

#endif  // S3ML_ECS_ECS_BOOT_H_
