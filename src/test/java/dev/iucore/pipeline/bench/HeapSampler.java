package dev.iucore.pipeline.bench;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Samples another JVM's heap through its platform MXBeans (attached from outside, so the measured
 * process runs nothing of the benchmark's): heap used and committed every interval, the process's
 * resident set beside them (what the operating system is asked for, not only the heap), and the
 * collectors' counts and times. {@link #window()} gives the peaks since the previous window.
 */
final class HeapSampler implements AutoCloseable {

    /** What the heap did in one window of the run. */
    record Window(int samples, long peakUsed, long peakCommitted, long peakRss, long collections, long collectionMillis) {
    }

    private final long pid;
    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final List<GarbageCollectorMXBean> collectors;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "heap-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private int samples;
    private long peakUsed;
    private long peakCommitted;
    private long peakRss;
    private long collectionsBefore;
    private long collectionMillisBefore;

    private HeapSampler(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        MBeanServerConnection server = connector.getMBeanServerConnection();
        memory = ManagementFactory.getPlatformMXBean(server, MemoryMXBean.class);
        collectors = ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class);
    }

    /** Attaches to the JVM of this process id (the same user's) and samples it every {@code interval}. */
    static HeapSampler attach(long pid, Duration interval) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        HeapSampler sampler = new HeapSampler(pid, JMXConnectorFactory.connect(new JMXServiceURL(address)));
        sampler.window();
        sampler.timer.scheduleAtFixedRate(sampler::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return sampler;
    }

    long maxHeap() {
        return memory.getHeapMemoryUsage().getMax();
    }

    /** The peaks since the previous window (or the attach), and the collections in between; starts the next. */
    synchronized Window window() {
        long collections = collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        long millis = collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        Window window = new Window(samples, peakUsed, peakCommitted, peakRss, collections - collectionsBefore,
                millis - collectionMillisBefore);
        samples = 0;
        peakUsed = 0;
        peakCommitted = 0;
        peakRss = 0;
        collectionsBefore = collections;
        collectionMillisBefore = millis;
        return window;
    }

    /** The heap in use right after a full collection (System.gc() in the measured JVM): what it really holds. */
    long usedAfterFullGc() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    long usedNow() {
        return memory.getHeapMemoryUsage().getUsed();
    }

    long rssNow() throws IOException {
        return ServiceProcess.rssOf(pid);
    }

    private synchronized void sample() {
        try {
            MemoryUsage heap = memory.getHeapMemoryUsage();
            samples++;
            peakUsed = Math.max(peakUsed, heap.getUsed());
            peakCommitted = Math.max(peakCommitted, heap.getCommitted());
            peakRss = Math.max(peakRss, ServiceProcess.rssOf(pid));
        } catch (RuntimeException | IOException e) {
            // the measured process is stopping; the samples so far stand
        }
    }

    @Override
    public void close() throws IOException {
        timer.shutdownNow();
        connector.close();
    }
}
