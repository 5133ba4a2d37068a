#include "util/io.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <unistd.h>

namespace xbuild::util {

Result<std::string> read_all_cancellable(int fd, const CancelSource& cancel,
                                         const std::string& what) {
  std::string out;
  char buf[65536];
  for (;;) {
    if (cancel.requested())
      return fail("canceled while reading " + what + ": " + cancel.reason(), 130);
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot read " + what + ": " + std::strerror(errno));
    if (n == 0)
      continue;
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (r < 0)
      return fail("cannot read " + what + ": " + std::strerror(errno));
    if (r == 0)
      return out;
    out.append(buf, static_cast<size_t>(r));
  }
}

} // namespace xbuild::util
