#include "sandbox/terminal_filter.h"

#include <cstring>

namespace cordon::sandbox {

namespace {

constexpr unsigned char kEsc = 0x1b, kBel = 0x07, kCan = 0x18, kSub = 0x1a, kDel = 0x7f;
constexpr std::size_t kMaxEscape = 16;   // ESC, intermediates and a final: a few bytes in practice
constexpr std::size_t kMaxCsi = 256;     // the longest SGR lists stay well below
constexpr std::size_t kMaxOscNumber = 8;  // ESC ] and a number of at most six digits

bool is_final(unsigned char b) { return b >= 0x40 && b <= 0x7e; }
bool is_intermediate(unsigned char b) { return b >= 0x20 && b <= 0x2f; }

// OSC numbers that only draw or set a colour (terminal_filter.h says why the colour queries stay).
bool osc_allowed(unsigned number) {
  switch (number) {
    case 0: case 1: case 2:  // icon name and window title: set, never reported (CSI 21t is dropped)
    case 4: case 104:        // palette colours, set, query, reset
    case 8:                  // hyperlinks: the terminal shows the URL before it opens it
      return true;
    default:
      return (number >= 10 && number <= 19) || (number >= 110 && number <= 119);  // dynamic colours
  }
}

// CSI sequences that act beyond drawing: window operations (CSI Ps t) other than the size reports
// (14, 15, 16, 18, 19: numbers the terminal knows) and the title stack (22, 23), and media copy
// (CSI Ps i: the printer). `params` holds the parameter and intermediate bytes.
bool csi_allowed(const char* params, std::size_t len, unsigned char final) {
  if (final == 'i') return false;
  // DECRQCRA (CSI ... * y): the terminal answers with a checksum of a screen area it names, which
  // can leak what else is on the host's screen.
  if (final == 'y' && len > 0 && params[len - 1] == '*') return false;
  if (final != 't') return true;
  if (len > 0 && params[0] >= '<' && params[0] <= '?') return false;  // xterm's title modes and kin
  unsigned first = 0;
  bool in_first = true;
  for (std::size_t i = 0; i < len; ++i) {
    const unsigned char b = static_cast<unsigned char>(params[i]);
    if (is_intermediate(b)) return false;  // DECSWBV and other forms with intermediates
    if (b == ';' || b == ':') in_first = false;
    else if (in_first && b >= '0' && b <= '9' && first < 1000) first = first * 10 + (b - '0');
  }
  switch (first) {
    case 14: case 15: case 16: case 18: case 19: case 22: case 23:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct TerminalFilter::Out {
  char* p;
  std::size_t n = 0;
  void put(unsigned char b) { p[n++] = static_cast<char>(b); }
  void put(const char* s, std::size_t len) {
    std::memcpy(p + n, s, len);
    n += len;
  }
};

std::size_t TerminalFilter::filter(const char* in, std::size_t n, char* out) {
  Out o{out};
  for (std::size_t i = 0; i < n; ++i) byte(static_cast<unsigned char>(in[i]), o);
  return o.n;
}

bool TerminalFilter::in_string() const {
  return state_ == State::osc_number || state_ == State::osc_keep || state_ == State::osc_drop ||
         state_ == State::string_drop;
}

void TerminalFilter::hold(unsigned char b) { held_[held_len_++] = static_cast<char>(b); }

void TerminalFilter::start(State s, const char* prefix) {
  reset();
  state_ = s;
  held_len_ = std::strlen(prefix);
  std::memcpy(held_, prefix, held_len_);
}

// UTF-8 first: a byte inside a character is text, whatever its value. Outside one, 0x80-0x9F (raw,
// or as 0xC2 0x80-0x9F) is a C1 control, handled as ESC and its 7-bit final (ECMA-48 5.3).
void TerminalFilter::byte(unsigned char b, Out& out) {
  if (pending_c2_) {
    pending_c2_ = false;
    if (b >= 0x80 && b <= 0x9f) {
      control(kEsc, out);
      text(static_cast<unsigned char>(b - 0x40), out);
      return;
    }
    text(0xc2, out);
    if (b >= 0xa0 && b <= 0xbf) return text(b, out);
  }
  if (utf8_left_ > 0) {
    if (b >= utf8_min_ && b <= utf8_max_) {
      --utf8_left_;
      utf8_min_ = 0x80;
      utf8_max_ = 0xbf;
      return text(b, out);
    }
    utf8_left_ = 0;  // not a character after all (or an overlong form): b starts afresh
  }
  if (b == 0xc2) {
    pending_c2_ = true;
  } else if (b >= 0x80 && b <= 0x9f) {
    control(kEsc, out);
    text(static_cast<unsigned char>(b - 0x40), out);
  } else if (b >= 0xc3 && b <= 0xf4) {
    utf8_left_ = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
    utf8_min_ = b == 0xe0 ? 0xa0 : b == 0xf0 ? 0x90 : 0x80;  // shorter forms of E0 and F0 are overlong
    // ED A0-BF would be a surrogate, F4 90-BF past U+10FFFF: no character, so a terminal may read
    // that second byte as a C1 control; here it is one too.
    utf8_max_ = b == 0xed ? 0x9f : b == 0xf4 ? 0x8f : 0xbf;
    text(b, out);
  } else if (b < 0x20 || b == kDel) {
    control(b, out);
  } else {
    text(b, out);  // printable ASCII, and bytes that are no UTF-8 at all (0xC0, 0xC1, 0xF5-0xFF, stray 0xA0-0xBF)
  }
}

void TerminalFilter::control(unsigned char c, Out& out) {
  if (in_string() && esc_in_string_) start(State::escape, "\x1b");  // ESC not followed by '\': a new sequence
  if (c == kEsc) {
    if (in_string()) esc_in_string_ = true;  // ST if '\' follows
    else start(State::escape, "\x1b");       // a sequence under way is abandoned, as the terminal would
    return;
  }
  if (state_ == State::ground) return out.put(c);
  if (c == kCan || c == kSub) return reset();  // they cancel a sequence
  if (in_string()) {
    if (c == kBel && state_ != State::string_drop) string_end(out, true);  // OSC may end with BEL; DCS may not
    return;  // other controls inside a string are ignored, as terminals do
  }
  if (c != kDel) out.put(c);  // a C0 control inside ESC or CSI takes effect at once, as in the terminal
}

void TerminalFilter::text(unsigned char b, Out& out) {
  if (esc_in_string_) {
    if (b == '\\') return string_end(out, false);
    start(State::escape, "\x1b");  // the string is abandoned; ESC begins a new sequence with b
  }
  switch (state_) {
    case State::ground:
      return out.put(b);
    case State::escape:
      if (b == '[') return start(State::csi, "\x1b[");
      if (b == ']') {
        start(State::osc_number, "\x1b]");
        osc_number_ = 0;
        osc_digits_ = false;
        return;
      }
      if (b == 'P' || b == 'X' || b == '^' || b == '_') return start(State::string_drop, "");
      if (b == '\\') return reset();  // ST with no string to end (the rest of a dropped one)
      [[fallthrough]];
    case State::escape_more:
      return escape_final(b, out);
    case State::csi:
      if (is_final(b)) {
        if (csi_allowed(held_ + 2, held_len_ - 2, b)) {
          hold(b);
          out.put(held_, held_len_);
        }
        return reset();
      }
      if (b >= 0x20 && b <= 0x3f) {
        if (held_len_ >= kMaxCsi) return start(State::csi_drop, "");
        return hold(b);
      }
      reset();  // not a CSI after all (a byte beyond ASCII): dropped, and the byte is text
      return out.put(b);
    case State::csi_drop:
      if (is_final(b)) return reset();
      if (b >= 0x80) {
        reset();
        out.put(b);
      }
      return;
    case State::osc_number:
      if (b >= '0' && b <= '9' && held_len_ < kMaxOscNumber) {
        osc_number_ = osc_number_ * 10 + (b - '0');
        osc_digits_ = true;
        return hold(b);
      }
      if (b == ';' && osc_digits_ && osc_allowed(osc_number_)) {
        state_ = State::osc_keep;
        return hold(b);
      }
      return start(State::osc_drop, "");
    case State::osc_keep:
      if (held_len_ + 3 > kMaxSequence) return start(State::osc_drop, "");  // room kept for ST
      return hold(b);
    case State::osc_drop:
    case State::string_drop:
      return;
  }
}

// ESC, intermediates, final: charsets, keypad modes, save and restore the cursor... all drawing.
void TerminalFilter::escape_final(unsigned char b, Out& out) {
  if (is_intermediate(b) && held_len_ < kMaxEscape) {
    state_ = State::escape_more;
    return hold(b);
  }
  if (b >= 0x30 && b <= 0x7e) {
    hold(b);
    out.put(held_, held_len_);
    return reset();
  }
  reset();  // overlong, or not an escape sequence: dropped; a byte beyond ASCII is text
  if (b >= 0x80) out.put(b);
}

// The end of an OSC or a DCS/SOS/PM/APC string: an allowed OSC goes out whole, terminated as it
// came (BEL, or ST in its 7-bit form).
void TerminalFilter::string_end(Out& out, bool bel) {
  const bool keep = state_ == State::osc_keep ||
                    (state_ == State::osc_number && osc_digits_ && osc_allowed(osc_number_));  // OSC 104 BEL
  if (keep) {
    out.put(held_, held_len_);
    if (bel) out.put(kBel);
    else out.put("\x1b\\", 2);
  }
  reset();
}

}  // namespace cordon::sandbox
