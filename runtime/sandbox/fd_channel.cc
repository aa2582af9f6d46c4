#include "sandbox/fd_channel.h"

#include <sys/socket.h>

#include <cstring>

namespace cordon::sandbox::fd_channel {

namespace {

struct Message {
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  Message() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
};

}  // namespace

Result<void> send(int channel, char tag, int fd) {
  Message m;
  m.byte = tag;
  if (fd >= 0) {
    cmsghdr* c = CMSG_FIRSTHDR(&m.msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  } else {
    m.msg.msg_control = nullptr;
    m.msg.msg_controllen = 0;
  }
  if (::sendmsg(channel, &m.msg, MSG_NOSIGNAL) != 1) return sys_fail("launch", "pass a descriptor to cordon");
  return {};
}

Result<std::pair<char, UniqueFd>> receive(int channel) {
  Message m;
  const ssize_t n = ::recvmsg(channel, &m.msg, MSG_CMSG_CLOEXEC);
  if (n != 1) return n == 0 ? fail("launch", "the sandbox ended before handing over") : sys_fail("launch", "recvmsg");
  UniqueFd fd;
  if (cmsghdr* c = CMSG_FIRSTHDR(&m.msg); c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    int received = -1;
    std::memcpy(&received, CMSG_DATA(c), sizeof received);
    fd.reset(received);
  }
  return std::pair<char, UniqueFd>{m.byte, std::move(fd)};
}

}  // namespace cordon::sandbox::fd_channel
