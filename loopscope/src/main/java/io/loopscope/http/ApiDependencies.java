package io.loopscope.http;


import io.loopscope.cpu.CpuPool;
import io.loopscope.db.Database;
import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.overload.ConnectionLimit;
import io.loopscope.overload.BodyBudget;
import io.loopscope.overload.HeapPressure;
import io.loopscope.upstream.BlockingUpstreamClient;
import io.loopscope.vthreads.VirtualThreads;

/**
 * What every ApiVerticle instance shares; made once by {@code app.MainVerticle}. {@code loopWatch} is null when
 * diagnostics are off; {@code virtualThreads} runs nothing on Java 17. The body budget, heap pressure and
 * connection count are process-wide: one for all loops. {@code accessLog} is null when log.access is off.
 */
public record ApiDependencies(CpuPool cpuPool, BlockingUpstreamClient blockingUpstream, String upstreamBaseUrl, Database database,
                       LoopWatch loopWatch, VirtualThreads virtualThreads, BodyBudget bodyBudget, HeapPressure heapPressure,
                       ConnectionLimit apiConnections, AccessLog accessLog) {
}
