#!/bin/bash
# perl: fork, pipes, socketpair, select, signals, alarm, waitpid.
. "$(dirname "$0")/lib.sh"
step "fork, pipes, waitpid"
perl -e 'for my $i (1..8) { pipe(my $r, my $w) or die; my $p = fork // die; if (!$p) { close $r; print $w $i*$i; exit $i } close $w; my $v = <$r>; waitpid($p, 0); die "child $i" unless $v == $i*$i && ($? >> 8) == $i } print "forks ok\n"'
step "socketpair, select"
perl -MSocket -MIO::Select -e 'socketpair(my $a, my $b, AF_UNIX, SOCK_STREAM, 0) or die; if (!fork) { syswrite $b, "ping"; exit 0 } my $s = IO::Select->new($a); $s->can_read(5) or die "select"; sysread $a, my $m, 4; die unless $m eq "ping"; wait; print "socketpair ok\n"'
step "signals and alarm"
perl -e 'my $got = 0; $SIG{USR1} = sub { $got++ }; kill "USR1", $$; select(undef,undef,undef,0.1); die "no USR1" unless $got; $SIG{ALRM} = sub { die "alarm\n" }; eval { alarm 1; sleep 5 }; die "no alarm" unless $@ eq "alarm\n"; print "signals ok\n"'
step "open with pipes to a command"
[ "$(perl -e 'open(my $f, "-|", "seq", "1", "100") or die; my $s = 0; $s += $_ while <$f>; print $s')" = 5050 ] || fail "pipe open"
echo "ok: perl fork, pipes, socketpair, signals"
