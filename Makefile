# SPDX-License-Identifier: GPL-2.0
#
# gmembench build. Everything lands in $(O) (default build/); the sanitizer
# build uses O=build-asan SAN=1. Sources are picked up by wildcard so a new
# workload, backend or test is one new file, never a Makefile edit.

O	?= build
CC	?= gcc
SAN	?=
PKGS	:= hwloc json-c liburing
TEST_PKGS := cmocka

# OPT is the user's knob (make OPT="-O0 -g"); CFLAGS from the command line is
# appended, never replacing the flags the build needs.
OPT	?= -O2 -g
override CFLAGS := $(OPT) -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2 -Wno-format-truncation \
	   -Wstrict-prototypes -Wmissing-prototypes -fno-strict-aliasing \
	   -D_GNU_SOURCE -I. -MMD -MP $(CFLAGS)
override CFLAGS += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS	+= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ifeq ($(SAN),1)
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS	+= -fsanitize=address,undefined
endif

GIT_SHA	:= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
GIT_DIRTY := $(shell test -n "$$(git status --porcelain --untracked-files=no 2>/dev/null)" && echo -dirty)
VERSION	:= 0.1.0
override CFLAGS += -DGMB_VERSION='"$(VERSION)"' -DGMB_GIT_SHA='"$(GIT_SHA)$(GIT_DIRTY)"'

LIB_C	:= $(filter-out bench/main.c,$(wildcard bench/*.c)) \
	   $(wildcard harness/*.c) $(wildcard workloads/*.c)
LIB_S	:= $(wildcard harness/*.S)
LIB_OBJ	:= $(LIB_C:%.c=$(O)/%.o) $(LIB_S:%.S=$(O)/%.o)
LIB	:= $(O)/libgmembench.a
BIN	:= $(O)/gmembench

TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(O)/tests/%)
TOOL_SRC := $(wildcard tests/tool_*.c)
TOOL_BIN := $(TOOL_SRC:tests/%.c=$(O)/tests/%)

.PHONY: soak-vm all check check-asan check-valgrind check-vm lab-selftest tests clean plots fuzz repro bench-self

all: $(BIN)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(O)/bench/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags $(TEST_PKGS)) $(LDFLAGS) -o $@ $< $(LIB) \
		$(shell pkg-config --libs $(TEST_PKGS)) $(LDLIBS)

tests: $(BIN) $(TEST_BIN) $(TOOL_BIN)

# The README's test command. Runs every unit and integration test and the
# CLI scripts; prints one closing "N passed, N failed, N skipped" line.
check: tests
	@O=$(O) ./tests/run_tests.sh

# The recording hot path: hist_record and cell_record (target <= 20 ns/op)
# and the overhead of a timer pair. Prints; never fails on speed.
bench-self: $(O)/tests/tool_hist_bench
	@$(O)/tests/tool_hist_bench

# The same suite under AddressSanitizer + UBSan (CI runs this too).
check-asan:
	$(MAKE) O=build-asan SAN=1 OPT="-O1 -g" check

# The same suite inside the lab VM (lab/): a Debian kernel under QEMU with
# kvm rebuilt with CONFIG_KVM_SW_PROTECTED_VM, whatever this host offers.
# GMB_LAB_OPTS passes lab/lab.sh options (e.g. "--kernel debian:7.3").
check-vm: tests
	@O=$(O) ./lab/check-vm.sh

# The lab's known platform defect, reproduced without gmembench (README,
# known issues): build/repro/svm_state_loss [vcpus] [seconds] [punch|madvise]
repro: $(O)/repro/svm_state_loss
$(O)/repro/svm_state_loss: lab/repro/svm_state_loss.c harness/kvm_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -pthread -o $@ $<

# The guest-stability soak (issue 10's acceptance) in the lab: 5 granularity
# dual runs, 30 footprint runs per backend (~11 min under TCG, quiet host)
soak-vm: all
	@d=$(CURDIR)/results/soak-$$(date -u +%Y%m%dT%H%M%SZ); \
	./lab/lab.sh $(GMB_LAB_OPTS) --log-dir $$d/lab run -- ./lab/soak-in-vm.sh $$d/runs

# KVM's own guest_memfd and private-memory conversion selftests in the lab
lab-selftest:
	@./lab/lab.sh $(GMB_LAB_OPTS) selftest

# The pure parts (no KVM) under valgrind: no errors, no leaks.
VALGRIND_TESTS := test_hist test_stats test_parse test_csv test_compare test_compare_gate test_sink_json test_conv_convert test_result test_runner test_run_check test_guest_abi
check-valgrind: tests
	@set -e; for t in $(VALGRIND_TESTS); do \
		echo "=== valgrind $$t"; \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
			$(O)/tests/$$t >/dev/null 2>$(O)/tests/$$t.valgrind || \
			{ cat $(O)/tests/$$t.valgrind; echo "valgrind: $$t failed"; exit 1; }; \
	done; echo "valgrind: $(words $(VALGRIND_TESTS)) test programs clean"

# make plots RESULTS=results/<run>/<workload>
plots: $(BIN)
	@./plots/render.sh $(RESULTS)

# libFuzzer targets for the parsers (clang); FUZZ_SECONDS per target
FUZZ_SECONDS ?= 60
fuzz:
	$(MAKE) -C tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
