#!/bin/bash
# git: init, commit, branch, merge, a local clone (path and file://), fetch, gc, fsck.
. "$(dirname "$0")/lib.sh"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_NOSYSTEM=1
step "init and commit"
git init -q -b main repo && cd repo
for i in $(seq 1 20); do echo "line $i" > "f$i.txt"; done
git add . && git commit -q -m first
step "branch, commit, merge"
git checkout -q -b topic && echo change >> f1.txt && git commit -q -am topic
git checkout -q main && echo other >> f2.txt && git commit -q -am main
git merge -q --no-edit topic
[ "$(git rev-list --count HEAD)" = 4 ] || fail "expected 4 commits"
step "clone by path and by file://, fetch"
cd .. && git clone -q repo c1 && git clone -q --no-local "file://$PWD/repo" c2
(cd repo && echo more >> f3.txt && git commit -q -am more)
(cd c2 && git pull -q --no-rebase && [ "$(git rev-parse HEAD)" = "$(git -C ../repo rev-parse HEAD)" ]) || fail "pull"
step "gc, repack, fsck"
(cd repo && git gc -q --aggressive && git repack -qad && git fsck --no-progress --strict)
step "stash, tag, log, grep"
(cd c1 && echo x >> f4.txt && git stash -q && git stash pop -q && git tag v1 && git log --oneline | wc -l >/dev/null && git grep -q "line 7")
echo "ok: git init, merge, clone, pull, gc and fsck"
