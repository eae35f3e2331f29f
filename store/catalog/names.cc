#include "store/catalog/names.h"

#include <cctype>
#include <string>

namespace talaria::store {

using core::Status;

Status ValidateName(const std::string& what, const std::string& name) {
  bool ok = !name.empty() && name.size() <= 128 && name != "." && name != "..";
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
                c == '+');
  }
  if (!ok) {
    return core::InvalidArgument(what + " '" + name +
                                 "' must be 1-128 characters of A-Z a-z 0-9 . _ + -");
  }
  return core::OkStatus();
}

Status ValidateDatabaseName(const std::string& name) { return ValidateName("database name", name); }

Status ValidateVersionName(const std::string& version) {
  TALARIA_RETURN_IF_ERROR(ValidateName("version", version));
  if (version == "current")
    return core::InvalidArgument("'current' is reserved; pick another version name");
  return core::OkStatus();
}

}  // namespace talaria::store
