#include "seccomp/disassemble.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "syscalls/constants.h"

namespace cordon::seccomp {

using syscalls::constant_name;
using syscalls::ConstantKind;

namespace {

std::string field(std::uint32_t offset) {
  if (offset == offsetof(seccomp_data, nr)) return "nr";
  if (offset == offsetof(seccomp_data, arch)) return "arch";
  if (offset == offsetof(seccomp_data, instruction_pointer)) return "ip";
  if (offset == offsetof(seccomp_data, instruction_pointer) + 4) return "ip.hi";
  const std::size_t args = offsetof(seccomp_data, args);
  if (offset >= args && offset < args + 48) {
    const std::size_t i = (offset - args) / 8;
    return "args[" + std::to_string(i) + "]" + ((offset - args) % 8 ? ".hi" : ".lo");
  }
  return "?";
}

std::string action(std::uint32_t ret) {
  const std::uint32_t data = ret & SECCOMP_RET_DATA;
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS: return "KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD: return "KILL_THREAD";
    case SECCOMP_RET_TRAP: return "TRAP";
    case SECCOMP_RET_ERRNO:
      return "ERRNO(" + constant_name(ConstantKind::errno_value, data).value_or(std::to_string(data)) + ")";
    case SECCOMP_RET_USER_NOTIF: return "USER_NOTIF";
    case SECCOMP_RET_TRACE: return "TRACE";
    case SECCOMP_RET_LOG: return "LOG";
    case SECCOMP_RET_ALLOW: return "ALLOW";
  }
  return "?";
}

// What the constant of a comparison means, given what A holds.
std::string annotate(const std::string& loaded, std::uint32_t k) {
  if (loaded == "nr") {
    if (char* name = ::seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, static_cast<int>(k))) {
      std::string s = name;
      std::free(name);
      return s;
    }
    return "";
  }
  if (loaded == "arch") return k == AUDIT_ARCH_X86_64 ? "x86_64" : k == AUDIT_ARCH_I386 ? "i386" : "";
  return "";
}

const char* jump_name(std::uint16_t op) {
  switch (op) {
    case BPF_JEQ: return "jeq";
    case BPF_JGT: return "jgt";
    case BPF_JGE: return "jge";
    case BPF_JSET: return "jset";
  }
  return "j?";
}

const char* alu_name(std::uint16_t op) {
  switch (op) {
    case BPF_ADD: return "add";
    case BPF_SUB: return "sub";
    case BPF_MUL: return "mul";
    case BPF_DIV: return "div";
    case BPF_AND: return "and";
    case BPF_OR: return "or";
    case BPF_XOR: return "xor";
    case BPF_LSH: return "lsh";
    case BPF_RSH: return "rsh";
    case BPF_NEG: return "neg";
  }
  return "alu?";
}

// What the accumulator holds before each instruction ("nr", "args[1].lo", "?" where paths
// disagree): classic BPF only jumps forward, so one pass in order sees every predecessor first.
std::vector<std::string> accumulator_sources(const Program& program) {
  const std::size_t n = program.code.size();
  std::vector<std::string> before(n);
  std::vector<bool> reached(n, false);
  if (n) reached[0] = true;
  auto flow = [&](std::size_t to, const std::string& a) {
    if (to >= n) return;
    if (!reached[to]) before[to] = a;
    else if (before[to] != a) before[to] = "?";
    reached[to] = true;
  };
  for (std::size_t pc = 0; pc < n; ++pc) {
    if (!reached[pc]) continue;
    const sock_filter& in = program.code[pc];
    std::string a = before[pc];
    if (in.code == (BPF_LD | BPF_W | BPF_ABS)) a = field(in.k);
    else if (BPF_CLASS(in.code) == BPF_ALU || BPF_CLASS(in.code) == BPF_LD || BPF_CLASS(in.code) == BPF_MISC) a = "?";
    if (BPF_CLASS(in.code) == BPF_RET) continue;
    if (BPF_CLASS(in.code) == BPF_JMP && BPF_OP(in.code) == BPF_JA) {
      flow(pc + 1 + in.k, a);
    } else if (BPF_CLASS(in.code) == BPF_JMP) {
      flow(pc + 1 + in.jt, a);
      flow(pc + 1 + in.jf, a);
    } else {
      flow(pc + 1, a);
    }
  }
  return before;
}

}  // namespace

std::string disassemble(const Program& program) {
  const std::vector<std::string> sources = accumulator_sources(program);
  std::string out;
  char line[160];
  for (std::size_t pc = 0; pc < program.code.size(); ++pc) {
    const sock_filter& in = program.code[pc];
    const std::uint16_t cls = BPF_CLASS(in.code);
    const std::string& loaded = sources[pc];
    std::string text;
    if (in.code == (BPF_LD | BPF_W | BPF_ABS)) {
      text = "ld   " + field(in.k);
    } else if (cls == BPF_JMP && BPF_OP(in.code) == BPF_JA) {
      std::snprintf(line, sizeof line, "ja   %zu", pc + 1 + in.k);
      text = line;
    } else if (cls == BPF_JMP) {
      const std::string note = BPF_SRC(in.code) == BPF_K ? annotate(loaded, in.k) : "";
      std::snprintf(line, sizeof line, "%s  %s0x%x, %zu, %zu", jump_name(BPF_OP(in.code)),
                    BPF_SRC(in.code) == BPF_X ? "x, " : "#", in.k, pc + 1 + in.jt, pc + 1 + in.jf);
      text = std::string(line) + (note.empty() ? "" : "    ; " + note);
    } else if (cls == BPF_RET) {
      text = "ret  " + (BPF_RVAL(in.code) == BPF_A ? std::string("a") : action(in.k));
    } else if (cls == BPF_ALU) {
      std::snprintf(line, sizeof line, "%s  #0x%x", alu_name(BPF_OP(in.code)), in.k);
      text = line;
    } else if (cls == BPF_ST || cls == BPF_STX) {
      text = std::string(cls == BPF_ST ? "st" : "stx") + "   M[" + std::to_string(in.k) + "]";
    } else if (cls == BPF_LD || cls == BPF_LDX) {
      std::snprintf(line, sizeof line, "%s  code 0x%02x k 0x%x", cls == BPF_LD ? "ld  " : "ldx ", in.code, in.k);
      text = line;
    } else {
      std::snprintf(line, sizeof line, "code 0x%02x jt %u jf %u k 0x%x", in.code, in.jt, in.jf, in.k);
      text = line;
    }
    std::snprintf(line, sizeof line, "  %04zu: ", pc);
    out += line + text + "\n";
  }
  return out;
}

}  // namespace cordon::seccomp
