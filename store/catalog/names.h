#pragma once

// The name rules of databases, versions and reduction profiles. Each such
// name becomes a path component (in the store and in the mount), so it is
// 1-128 characters of A-Z a-z 0-9 . _ + - and never "." or "..".
//
// Failure: kInvalidArgument, naming the rule the name breaks.
// Thread-safe (pure functions).

#include <string>

#include "store/core/status.h"

namespace talaria::store {

// Database and version names: 1-128 of [A-Za-z0-9._+-], not "." or "..";
// a version may not be "current".
core::Status ValidateDatabaseName(const std::string& name);
// The same rule for any name that becomes a path component (`what` names it
// in the error): 1-128 characters of A-Z a-z 0-9 . _ + -.
core::Status ValidateName(const std::string& what, const std::string& name);
core::Status ValidateVersionName(const std::string& version);

}  // namespace talaria::store
