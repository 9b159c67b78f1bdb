# shellcheck shell=bash
# Sourced by .ci/actionlint and scripts/pulumi-cli: `go_checked ARGS...` runs `go ARGS...` so
# that every module comes from the Go module proxy and is checked against the Go checksum
# database, whatever `go env -w` wrote or the environment says. The caller sets `go_flags`
# (the GOFLAGS of its builds) before calling it.
#
# Why GOENV=off: `go env -w` writes settings to a file ($GOENV, by default ~/.config/go/env)
# that go reads for every setting the process environment leaves unset *or empty*. Unsetting
# GONOSUMDB, or setting GOFLAGS to "", therefore still lets `go env -w GONOSUMDB=*`,
# `GOSUMDB=off` or `GOFLAGS=-overlay=...` through. With GOENV=off go ignores that file; the
# settings that decide where modules come from and whether they are checked are then set here,
# and those that exempt modules from the check (or from the proxy) are removed.
#
# GOPROXY is AOAI_DEPLOY_GOPROXY where that is set (a company's mirror), else the public proxy;
# either way every module is checked against sum.golang.org, so a mirror cannot change one.

go_checked() {
    env -u GONOSUMDB -u GONOSUMCHECK -u GOPRIVATE -u GOINSECURE -u GONOPROXY \
        GOENV=off \
        GOPROXY="${AOAI_DEPLOY_GOPROXY:-https://proxy.golang.org}" \
        GOSUMDB=sum.golang.org \
        GOFLAGS="${go_flags:?go_checked: the caller sets go_flags}" \
        go "$@"
}
