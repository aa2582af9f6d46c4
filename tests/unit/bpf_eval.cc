#include "bpf_eval.h"

#include <cstddef>
#include <cstring>

namespace cordon::test {

namespace {

bool load_word(const seccomp_data& d, std::uint32_t offset, std::uint32_t& out) {
  if (offset % 4 != 0 || offset + 4 > sizeof d) return false;
  std::memcpy(&out, reinterpret_cast<const char*>(&d) + offset, 4);
  return true;
}

bool alu(std::uint16_t op, std::uint32_t& a, std::uint32_t operand) {
  switch (op) {
    case BPF_ADD: a += operand; return true;
    case BPF_SUB: a -= operand; return true;
    case BPF_MUL: a *= operand; return true;
    case BPF_DIV: if (operand == 0) return false; a /= operand; return true;
    case BPF_AND: a &= operand; return true;
    case BPF_OR: a |= operand; return true;
    case BPF_XOR: a ^= operand; return true;
    case BPF_LSH: a <<= (operand & 31); return true;
    case BPF_RSH: a >>= (operand & 31); return true;
    case BPF_NEG: a = -a; return true;
    default: return false;
  }
}

bool jump_taken(std::uint16_t op, std::uint32_t a, std::uint32_t operand, bool& taken) {
  switch (op) {
    case BPF_JEQ: taken = a == operand; return true;
    case BPF_JGT: taken = a > operand; return true;
    case BPF_JGE: taken = a >= operand; return true;
    case BPF_JSET: taken = (a & operand) != 0; return true;
    default: return false;
  }
}

// The kernel orders actions by their top 16 bits as a signed number: lower is stricter.
int strictness(std::uint32_t ret) { return static_cast<std::int32_t>(ret & SECCOMP_RET_ACTION_FULL); }

}  // namespace

std::uint32_t run_program(const std::vector<sock_filter>& code, const Call& call) {
  seccomp_data d{};
  d.nr = call.nr;
  d.arch = call.arch;
  for (int i = 0; i < 6; ++i) d.args[i] = call.args[i];
  std::uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const sock_filter& in = code[pc];
    const std::uint16_t cls = BPF_CLASS(in.code);
    const std::uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
    bool ok = true;
    switch (cls) {
      case BPF_LD:
        if (in.code == (BPF_LD | BPF_W | BPF_ABS)) ok = load_word(d, in.k, a);
        else if (in.code == (BPF_LD | BPF_IMM)) a = in.k;
        else if (in.code == (BPF_LD | BPF_MEM) && in.k < BPF_MEMWORDS) a = mem[in.k];
        else if (in.code == (BPF_LD | BPF_W | BPF_LEN)) a = sizeof d;
        else ok = false;
        break;
      case BPF_LDX:
        if (in.code == (BPF_LDX | BPF_IMM)) x = in.k;
        else if (in.code == (BPF_LDX | BPF_MEM) && in.k < BPF_MEMWORDS) x = mem[in.k];
        else if (in.code == (BPF_LDX | BPF_W | BPF_LEN)) x = sizeof d;
        else ok = false;
        break;
      case BPF_ST: if (in.k < BPF_MEMWORDS) mem[in.k] = a; else ok = false; break;
      case BPF_STX: if (in.k < BPF_MEMWORDS) mem[in.k] = x; else ok = false; break;
      case BPF_ALU: ok = alu(BPF_OP(in.code), a, src); break;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX) x = a;
        else if (BPF_MISCOP(in.code) == BPF_TXA) a = x;
        else ok = false;
        break;
      case BPF_RET: return BPF_RVAL(in.code) == BPF_A ? a : in.k;
      case BPF_JMP:
        if (BPF_OP(in.code) == BPF_JA) {
          pc += in.k;
        } else {
          bool taken = false;
          ok = jump_taken(BPF_OP(in.code), a, src, taken);
          pc += taken ? in.jt : in.jf;
        }
        break;
      default: ok = false;
    }
    if (!ok) return kInvalid;
  }
  return kInvalid;  // fell off the end: the kernel's verifier would have refused the program
}

std::uint32_t run_filters(const seccomp::Filters& filters, const Call& call) {
  std::uint32_t answer = SECCOMP_RET_ALLOW;
  // As the kernel does (seccomp_run_filters): the most recently loaded program first, and of two
  // answers with the same action (EPERM and ENOSYS are both ERRNO) the first one evaluated stands.
  for (auto p = filters.programs.rbegin(); p != filters.programs.rend(); ++p) {
    const std::uint32_t r = run_program(p->code, call);
    if (r == kInvalid) return kInvalid;
    if (strictness(r) < strictness(answer)) answer = r;
  }
  return answer;
}

}  // namespace cordon::test
