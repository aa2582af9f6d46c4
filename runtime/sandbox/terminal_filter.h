// What an app's pty may send to the host's terminal: text and the sequences that draw (cursor,
// colours, modes, set-title), not those that act on the host beyond the window or make the
// terminal type into the app's input. terminal.h owns the pty; launch.cc runs the relay.
//
// Passed: text (UTF-8 or not), C0 controls, escape sequences (ESC + intermediates + final), CSI
// sequences except the ones below, and OSC 0/1/2 (titles), 4/104 (palette), 8 (hyperlinks),
// 10-19/110-119 (dynamic colours). The colour queries among them (OSC 4/10/11/12 with `?`) stay:
// the answer is a fixed-format colour, nothing the app chose, and editors use it to pick a theme.
// Dropped: every other OSC (52 clipboard, 5x fonts and selections, 7 cwd, 9/99/777 notifications,
// 1337, 5522...), every DCS, SOS, PM and APC string (DECRQSS, tmux passthrough, sixel and kitty
// images), CSI ... t other than the size reports and the title stack (20t/21t report the title
// into the app's input; 1-9 and >= 24 move, resize or raise the host's window), CSI ... i (media
// copy: a printer), and any sequence longer than kMaxSequence (the rest of it is dropped until
// its terminator).
//
// A sequence is held until it is complete and then passed whole or not at all, so the host's
// terminal is never left inside a sequence between two writes, whatever is dropped. 8-bit C1
// controls (0x80-0x9F) count as controls, in their 7-bit form, where they cannot be UTF-8: as a
// raw byte outside a multi-byte character, or UTF-8 encoded (0xC2 0x80-0x9F, U+0080-U+009F), as
// xterm reads them in UTF-8 mode. Overlong UTF-8 forms (0xC0, 0xC1, 0xE0 0x80-0x9F, 0xF0 0x80-0x8F)
// are not characters, so they never hide a control from the filter.
#pragma once

#include <cstddef>

namespace cordon::sandbox {

class TerminalFilter {
 public:
  static constexpr std::size_t kMaxSequence = 4096;  // a long title or hyperlink; CSI far less

  // Room filter() may need in `out` for `n` input bytes: a held sequence plus each byte twice
  // (a 1-byte C1 control comes out as its 2-byte 7-bit form).
  static constexpr std::size_t output_room(std::size_t n) { return kMaxSequence + 2 * n; }

  // Writes to `out` what of `in` may reach the host's terminal and returns how many bytes that is.
  // A sequence split across calls is held until its end; no allocation.
  std::size_t filter(const char* in, std::size_t n, char* out);

 private:
  enum class State : unsigned char {
    ground,
    escape,        // after ESC
    escape_more,   // ESC and intermediates, waiting for the final byte
    csi,           // ESC [ and parameters
    csi_drop,      // an overlong CSI, dropped up to its final byte
    osc_number,    // ESC ] and the digits of its number
    osc_keep,      // an allowed OSC, held up to its terminator
    osc_drop,      // a refused or overlong OSC, dropped up to its terminator
    string_drop,   // DCS, SOS, PM or APC, dropped up to ST
  };

  struct Out;
  void byte(unsigned char b, Out& out);     // one input byte: UTF-8 and C1 decoding
  void control(unsigned char c, Out& out);  // a C0 control, or ESC for every C1 one
  void text(unsigned char b, Out& out);     // anything else
  void escape_final(unsigned char b, Out& out);
  void string_end(Out& out, bool bel);
  void hold(unsigned char b);
  void start(State s, const char* prefix);
  void reset() {
    state_ = State::ground;
    held_len_ = 0;
    esc_in_string_ = false;
  }
  bool in_string() const;

  State state_ = State::ground;
  bool esc_in_string_ = false;      // an ESC inside a string: ST if '\' follows, else a new sequence
  bool pending_c2_ = false;         // 0xC2 seen: 0x80-0x9F next makes it a C1 control
  unsigned char utf8_left_ = 0;     // continuation bytes still expected in a multi-byte character
  unsigned char utf8_min_ = 0x80;   // the lowest valid next one (higher after E0, F0: no overlong forms)
  unsigned char utf8_max_ = 0xbf;   // the highest (lower after ED: no surrogates; after F4: nothing past U+10FFFF)
  unsigned osc_number_ = 0;
  bool osc_digits_ = false;
  std::size_t held_len_ = 0;
  char held_[kMaxSequence];
};

}  // namespace cordon::sandbox
