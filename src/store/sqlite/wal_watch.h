// Tells without a system call whether a write transaction has committed to a
// SQLite database in WAL mode since a given moment, whichever process wrote:
// every commit rewrites the wal-index header at the start of the shared-memory
// file DB-shm (its format is documented and stable: sqlite.org/walformat.html,
// "The WAL-Index Header"), which this maps read-only. Private to store/sqlite/.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace limpide::store::sqlite {

class WalWatch {
 public:
  // The first copy of the wal-index header (48 bytes: change counter, last
  // valid frame, page count, checksums and salts). Equal stamps: no commit in
  // between.
  using Stamp = std::array<uint8_t, 48>;

  // Maps `db_path`-shm, which must exist and be kept open by a connection of
  // this process for as long as the watch lives (SQLite truncates it only
  // when no connection has it open). nullptr when it cannot be mapped (the
  // caller then reads without the watch).
  static std::unique_ptr<WalWatch> Open(const std::string& db_path);
  ~WalWatch();
  WalWatch(const WalWatch&) = delete;
  WalWatch& operator=(const WalWatch&) = delete;

  Stamp Now() const;

 private:
  WalWatch(int fd, const void* map) : fd_(fd), map_(map) {}
  int fd_;
  const void* map_;
};

}  // namespace limpide::store::sqlite
