#include "store/sqlite/wal_watch.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace limpide::store::sqlite {
namespace {
constexpr size_t kMapBytes = 4096;  // the headers take the first 136 bytes
}  // namespace

std::unique_ptr<WalWatch> WalWatch::Open(const std::string& db_path) {
  const std::string shm = db_path + "-shm";
  const int fd = ::open(shm.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) < kMapBytes) {
    ::close(fd);
    return nullptr;
  }
  void* map = ::mmap(nullptr, kMapBytes, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<WalWatch>(new WalWatch(fd, map));
}

WalWatch::~WalWatch() {
  ::munmap(const_cast<void*>(map_), kMapBytes);
  ::close(fd_);
}

WalWatch::Stamp WalWatch::Now() const {
  // Orders this read after whatever this thread saw before (a commit
  // acknowledged to a client, for instance). A header being rewritten may be
  // read torn: it then differs from every earlier stamp, which only costs a
  // new read transaction.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  Stamp s;
  std::memcpy(s.data(), map_, s.size());
  std::atomic_thread_fence(std::memory_order_acquire);
  return s;
}

}  // namespace limpide::store::sqlite
