#!/bin/bash
# C.UTF-8: collation, character classes, iconv conversions, multibyte tools.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
step "locale -a lists C.utf8"
locale -a | grep -qi '^c\.utf-\?8$' || fail "no C.UTF-8"
step "sort and uniq"
printf 'b\nä\na\nz\nä\n' | sort | uniq -c | awk '{print $2}' | tr '\n' ' ' | grep -q '^a b z ä $' || fail "sort order"
step "iconv round trips"
printf 'grüße, 日本語\n' > u8
iconv -f UTF-8 -t UTF-16LE u8 > u16 && iconv -f UTF-16LE -t UTF-8 u16 | cmp - u8
iconv -f UTF-8 -t ISO-8859-1//TRANSLIT u8 >/dev/null
step "wc -m counts characters"
[ "$(printf '日本語' | wc -m)" = 3 ] || fail "wc -m"
step "python and perl see the locale"
/usr/bin/python3 -c 'import locale, sys; locale.setlocale(locale.LC_ALL, ""); assert sys.getfilesystemencoding() == "utf-8"; print("日本".upper())' >/dev/null
perl -Mutf8 -CS -e 'print uc("grüße")' | grep -q GRÜSSE || fail "perl uc"
echo "ok: C.UTF-8 collation, iconv and multibyte tools"
