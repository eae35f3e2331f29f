#pragma once

// talaria-store exit codes (documented in README.md and --help).
namespace talaria::tools {
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command failed, or found problems (verify)
inline constexpr int kExitUsage = 2;   // bad command line
}  // namespace talaria::tools
