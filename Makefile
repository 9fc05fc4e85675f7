# s3ml: the user's entry point. `make` installs missing Debian packages and builds Release into
# build/ (binaries in build/bin/); `make test` also runs the test suite; `make demo` runs the main job.
#   make test SANITIZE=1   ASan+UBSan build in build-asan/ and its tests
#   make test-all          also the long tests labelled "slow" (soak, stress, fuzz smoke)
#   make bench             benchmarks (bench/), printing medians and ratios
#   make fuzz              libFuzzer targets with clang in build-fuzz/

PACKAGES := cmake ninja-build g++ make pkg-config git \
  libssl-dev libboost-dev nlohmann-json3-dev libcli11-dev \
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev libfp16-dev libflatbuffers-dev flatbuffers-compiler \
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev libarmnntfliteparser-dev libarmnn-dev libarmnn-cpuref-backend22 \
  haproxy curl clang libbpf-dev gnuplot-nox
FUZZ_PACKAGES := clang libclang-rt-14-dev

ifeq ($(SANITIZE),1)
BUILD_DIR ?= build-asan
CMAKE_FLAGS += -DS3ML_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
else
BUILD_DIR ?= build
CMAKE_FLAGS += -DCMAKE_BUILD_TYPE=Release
endif
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build test test-all demo bench fuzz clean

all: build

# Installs only what is missing, so a second run is quick and needs no network.
deps:
	@missing=$$(for p in $(PACKAGES) $(EXTRA_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS) >/dev/null

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) -LE slow

test-all: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

demo: build
	./scripts/demo.sh $(BUILD_DIR)

bench: build
	./scripts/bench.sh $(BUILD_DIR)

fuzz: EXTRA_PACKAGES = $(FUZZ_PACKAGES)
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DS3ML_FUZZ=ON -DBUILD_TESTING=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j $(JOBS)

clean:
	rm -rf build build-asan build-fuzz
