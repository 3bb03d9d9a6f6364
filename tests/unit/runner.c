/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The unit test runner. Every case in list.h runs in a forked child with a
 * timeout, so one crash, abort or hang fails only that case. Prints one line per
 * failure and ends with "N passed, N failed". `--only <prefix>` runs the cases
 * whose name starts with prefix; `--list` prints the names.
 */
#include "test.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* TEST_LIST lets a module's tests be built alone while it is being written
 * (-DTEST_LIST='"my_list.h"'); the suite always uses list.h. */
#ifndef TEST_LIST
#define TEST_LIST "list.h"
#endif

#define TEST_ENTRY(name) int test_##name(void);
#include TEST_LIST
#undef TEST_ENTRY

typedef struct {
    const char *name;
    int (*fn)(void);
} testCase;

static const testCase cases[] = {
#define TEST_ENTRY(name) {#name, test_##name},
#include TEST_LIST
#undef TEST_ENTRY
};

enum { CASE_TIMEOUT_S = 60 };

void testPrintMem_(const char *label, const void *p, size_t len) {
    const unsigned char *b = p;
    fprintf(stderr, "  %s: \"", label);
    for (size_t i = 0; i < len && i < 200; i++) {
        if (isprint(b[i])) fputc(b[i], stderr);
        else fprintf(stderr, "\\x%02x", b[i]);
    }
    fprintf(stderr, "%s\"\n", len > 200 ? "..." : "");
}

static size_t pageSize(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static size_t guardedSpan(size_t len) {
    size_t page = pageSize();
    return (len + page - 1) / page * page + page;
}

char *testGuardedCopy(const void *src, size_t len) {
    size_t span = guardedSpan(len);
    char *base = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) abort();
    char *guard = base + span - pageSize();
    if (mprotect(guard, pageSize(), PROT_NONE) != 0) abort();
    char *p = guard - len;
    if (len) memcpy(p, src, len);
    return p;
}

void testGuardedFree(char *p, size_t len) {
    size_t span = guardedSpan(len);
    char *guard_end = p + len + pageSize();
    munmap(guard_end - span, span);
}

/* Runs one case in a child; returns 0 when it passed. */
static int runCase(const testCase *tc) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        alarm(CASE_TIMEOUT_S);
        _exit(tc->fn() == 0 ? 0 : 1);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {}
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    if (WIFSIGNALED(status))
        fprintf(stderr, "FAIL %s (signal %d%s)\n", tc->name, WTERMSIG(status),
                WTERMSIG(status) == SIGALRM ? ": timeout" : "");
    else fprintf(stderr, "FAIL %s\n", tc->name);
    return 1;
}

int main(int argc, char **argv) {
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--list")) {
            for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) puts(cases[j].name);
            return 0;
        } else {
            fprintf(stderr, "usage: %s [--only prefix] [--list]\n", argv[0]);
            return 2;
        }
    }
    int passed = 0, failed = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (only && strncmp(cases[i].name, only, strlen(only)) != 0) continue;
        if (runCase(&cases[i]) == 0) passed++;
        else failed++;
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
