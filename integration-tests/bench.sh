#!/bin/sh
# pgcdc's benchmark (docs/benchmarks.md): builds the distribution and the benchmark, then runs
# dev.pgcdc.it.bench.Benchmark with the -D options given, e.g.
#   integration-tests/bench.sh                                   # rows (1M), small, latency, snapshot (10M, 1 and 3 instances); 3 runs each; medians
#   integration-tests/bench.sh -Dbench.rows=10000000 -Dbench.workloads=rows -Dbench.runs=1
#   integration-tests/bench.sh -Dbench.workloads=rows -Dbench.rows=2000000 -Dbench.rows.transaction-rows=2000000 -Dbench.runs=1  # one 2M-row transaction
#   integration-tests/bench.sh -Dbench.workloads=snapshot -Dbench.snapshot.rows=1000000 -Dbench.snapshot.instances=1,3 -Dbench.recvlogical=none
# MVN_ARGS adds Maven options (e.g. MVN_ARGS=-o offline); BENCH_SKIP_BUILD=1 reuses the last build.
# Not part of `verify`: it runs minutes and measures a machine, it does not test anything.
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -z "$BENCH_SKIP_BUILD" ]; then
  # package: cdc-app/target/pgcdc-<version>.tar.gz and the bench's classes; the class path of this
  # module's tests, taken in the same reactor so pgcdc's modules are this tree's jars, never ~/.m2's.
  # shellcheck disable=SC2086 # MVN_ARGS is a list of options
  ./mvnw -B -q $MVN_ARGS package dependency:build-classpath -pl integration-tests -am \
      -DskipTests -Djacoco.skip=true -Dmdep.includeScope=test -DexcludeArtifactIds=cdc-app \
      -Dmdep.outputFile=target/bench.classpath
fi
tarball=$(ls -t cdc-app/target/pgcdc-*.tar.gz | head -n 1)
if [ -n "$JAVA_HOME" ]; then java_bin=$JAVA_HOME/bin/java; else java_bin=java; fi
exec "$java_bin" -Xmx1g -cp "integration-tests/target/test-classes:$(cat integration-tests/target/bench.classpath)" \
    -Dbench.distribution="$tarball" -Dbench.dir=integration-tests/target/bench "$@" dev.pgcdc.it.bench.Benchmark
