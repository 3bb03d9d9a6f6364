# loom: one flat Makefile. `make` builds src/loom-server; `make run` starts it on
# 127.0.0.1:6379; `make test` runs every suite (see tests/run-all.sh).
#   make SANITIZE=address   ASan+UBSan build -> src/loom-server-asan
#   make SANITIZE=thread    TSan build       -> src/loom-server-tsan
#   make fuzz               libFuzzer target for the RESP parser (clang)
#   make tools              build/tools/: conn-flood (connection-flood load tool),
#                           loom-check-rdb and loom-check-aof (file checkers)

CC       ?= cc
SANITIZE ?=
UNAME    := $(shell uname -s)

CFLAGS_BASE := -std=gnu11 -D_GNU_SOURCE -g -Wall -Wextra -Werror -Wno-missing-field-initializers -MMD -MP -Isrc -pthread
ifeq ($(SANITIZE),address)
  VARIANT := asan
  CFLAGS  := $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined
  LDFLAGS := -fsanitize=address,undefined
  MALLOC  :=
else ifeq ($(SANITIZE),thread)
  VARIANT := tsan
  CFLAGS  := $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer -fsanitize=thread
  LDFLAGS := -fsanitize=thread
  MALLOC  :=
else ifeq ($(SANITIZE),)
  VARIANT := normal
  CFLAGS  := $(CFLAGS_BASE) -O2 -DLOOM_JEMALLOC
  LDFLAGS :=
  MALLOC  := -ljemalloc
else
  $(error SANITIZE must be address or thread)
endif
LIBS := $(MALLOC) -llz4 -lpthread -lm

# Multiplexer backends: each is compiled only where the platform has it.
AE_SRC := src/ae/ae.c src/ae/ae_poll.c src/ae/ae_select.c
ifeq ($(UNAME),Linux)
  AE_SRC += src/ae/ae_epoll.c
endif
ifneq ($(filter Darwin FreeBSD OpenBSD NetBSD DragonFly,$(UNAME)),)
  AE_SRC += src/ae/ae_kqueue.c
endif

# Modules that run only inside the server (they use `server`); everything else
# is core and is linked into the unit tests too.
SERVER_SRC := $(wildcard src/server.c src/config.c src/info.c src/command.c src/db.c src/net.c \
                         src/expire.c src/evict.c src/block.c src/child.c src/snapshot.c \
                         src/aof.c src/aof_rewrite.c src/propagate.c src/t_*.c)
CORE_SRC   := $(AE_SRC) $(filter-out $(SERVER_SRC),$(wildcard src/*.c)) \
              $(wildcard src/io_threads/*.c)

BUILD   := build/$(VARIANT)
SUFFIX  := $(if $(filter normal,$(VARIANT)),,-$(VARIANT))
SERVER  := src/loom-server$(SUFFIX)
UNIT    := $(BUILD)/unit-tests
CORE_OBJ   := $(CORE_SRC:%.c=$(BUILD)/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)
UNIT_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/unit/*.c))

.PHONY: all deps run test unit fuzz tools clean
all: $(SERVER)

$(SERVER): $(CORE_OBJ) $(SERVER_OBJ)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LIBS)

$(UNIT): $(CORE_OBJ) $(UNIT_OBJ)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

unit: $(UNIT)
	$(UNIT)

deps:
	@deps/install.sh $(DEPS_FOR)

run: DEPS_FOR := build
run: deps
	@$(MAKE) --no-print-directory all
	$(SERVER) --bind 127.0.0.1 --port 6379

test: DEPS_FOR := test
test: deps
	@tests/run-all.sh

# libFuzzer target for the RESP parser; needs clang with compiler-rt.
FUZZ := build/fuzz/fuzz-resp
fuzz: $(FUZZ)
$(FUZZ): tests/fuzz/fuzz_resp.c src/resp.c src/resp.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -Isrc -fsanitize=fuzzer,address,undefined -o $@ \
	    tests/fuzz/fuzz_resp.c src/resp.c

# Tools in tools/*.c: conn-flood links nothing from src/; the file checkers
# link the core modules (the same parsers the server loads files with).
TOOLS := build/tools/conn-flood build/tools/loom-check-rdb build/tools/loom-check-aof
tools: $(TOOLS)
build/tools/conn-flood: tools/conn-flood.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -o $@ $<
build/tools/loom-check-%: tools/loom-check-%.c $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LIBS)

clean:
	rm -rf build src/loom-server src/loom-server-asan src/loom-server-tsan

-include $(CORE_OBJ:.o=.d) $(SERVER_OBJ:.o=.d) $(UNIT_OBJ:.o=.d)
