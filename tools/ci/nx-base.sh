#!/bin/sh
# Prints the commit `nx affected` compares against (NX_BASE), from GitLab's predefined variables:
#   merge request pipeline -> CI_MERGE_REQUEST_DIFF_BASE_SHA (the merge base with the target branch)
#   branch push pipeline   -> CI_COMMIT_BEFORE_SHA (the branch tip before this push), when it is a
#                             real commit present in the clone (all zeros on a new branch; gone
#                             after a force push)
#   otherwise              -> nothing: the caller treats every project as affected.
# POSIX sh: it also runs in busybox images.
set -eu
zero=0000000000000000000000000000000000000000
is_commit() { [ -n "$1" ] && [ "$1" != "$zero" ] && git cat-file -e "$1^{commit}" 2>/dev/null; }

if is_commit "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}"; then
  echo "$CI_MERGE_REQUEST_DIFF_BASE_SHA"
elif is_commit "${CI_COMMIT_BEFORE_SHA:-}"; then
  echo "$CI_COMMIT_BEFORE_SHA"
fi
