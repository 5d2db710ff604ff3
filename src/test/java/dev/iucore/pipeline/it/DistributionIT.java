package dev.iucore.pipeline.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.iucore.pipeline.config.Setting;
import dev.iucore.pipeline.testing.DatabaseExtension;
import dev.iucore.pipeline.testing.ServiceJar;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two packaged jars (issue 14): the default one carries the embedded PostgreSQL of the build
 * platform and no other, the external-db one none at all; both carry Kafka's compression natives
 * for the build platform only, and those still compress; the external-db jar refuses the embedded
 * mode with a message naming {@code IU_DB_URL}, and runs on an external database.
 */
class DistributionIT {

    @RegisterExtension
    static final DatabaseExtension DB = DatabaseExtension.migrated();

    @TempDir
    Path dataDir;

    /** The build platform as the pom's platform-* profiles name it in each library's layout. */
    private record Platform(String postgres, String snappy, String zstd, String lz4) {
        static Platform current() {
            boolean mac = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("mac");
            boolean arm = System.getProperty("os.arch").equals("aarch64");
            if (mac) {
                return arm ? new Platform("postgres-darwin-arm_64.txz", "Mac/aarch64", "darwin/aarch64", "darwin/aarch64")
                        : new Platform("postgres-darwin-x86_64.txz", "Mac/x86_64", "darwin/x86_64", "darwin/x86_64");
            }
            return arm ? new Platform("postgres-linux-arm_64.txz", "Linux/aarch64", "linux/aarch64", "linux/aarch64")
                    : new Platform("postgres-linux-x86_64.txz", "Linux/x86_64", "linux/amd64", "linux/amd64");
        }
    }

    private static List<String> entries(Path jar) throws Exception {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).filter(n -> !n.endsWith("/")).toList();
        }
    }

    private static List<String> natives(List<String> entries) {
        return entries.stream().filter(n -> n.matches(".*\\.(so|dll|dylib|jnilib|a)$") && !n.startsWith("org/jline/")).toList();
    }

    @Test
    void theDefaultJarCarriesTheEmbeddedPostgresOfTheBuildPlatformOnlyAndTheExternalJarNone() throws Exception {
        Platform platform = Platform.current();
        List<String> embedded = entries(ServiceJar.JAR);
        assertThat(embedded.stream().filter(n -> n.matches("postgres-.*\\.txz"))).containsExactly(platform.postgres());
        assertThat(embedded).contains("io/zonky/test/db/postgres/embedded/DefaultPostgresBinaryResolver.class");

        List<String> external = entries(ServiceJar.EXTERNAL_DB_JAR);
        assertThat(external.stream().filter(n -> n.endsWith(".txz") || n.startsWith("io/zonky/")).toList())
                .as("the embedded database in %s", ServiceJar.EXTERNAL_DB_JAR).isEmpty();
        // the rest of the service is all there: our classes, the driver, Camel
        assertThat(external).contains("dev/iucore/pipeline/cli/IuCoreMain.class", "org/postgresql/Driver.class",
                "org/apache/camel/main/Main.class", "db/migration/V001__runtime_role_grants.sql");
    }

    @Test
    void bothJarsCarryKafkasCompressionNativesForTheBuildPlatformOnly() throws Exception {
        Platform platform = Platform.current();
        for (Path jar : List.of(ServiceJar.JAR, ServiceJar.EXTERNAL_DB_JAR)) {
            assertThat(natives(entries(jar))).as(jar.toString()).containsExactlyInAnyOrder(
                    "org/xerial/snappy/native/" + platform.snappy() + "/libsnappyjava." + (platform.snappy().startsWith("Mac") ? "dylib" : "so"),
                    platform.zstd() + "/libzstd-jni-" + zstdVersion(entries(jar)) + (platform.zstd().startsWith("darwin") ? ".dylib" : ".so"),
                    "net/jpountz/util/" + platform.lz4() + "/liblz4-java." + (platform.lz4().startsWith("darwin") ? "dylib" : "so"));
        }
    }

    private static String zstdVersion(List<String> entries) {
        return entries.stream().filter(n -> n.contains("libzstd-jni-")).findFirst().orElseThrow()
                .replaceAll(".*libzstd-jni-(.*)\\.(so|dylib)$", "$1");
    }

    /**
     * What kafka-clients does with {@code compression.type} snappy, zstd or lz4, from the jar alone
     * (its own class loader): each library loads its native code for this host and round-trips.
     */
    @Test
    void theTrimmedNativesStillCompressAndDecompressFromTheJar() throws Exception {
        byte[] data = "an event payload, an event payload, an event payload".repeat(50).getBytes(StandardCharsets.UTF_8);
        try (URLClassLoader jar = new URLClassLoader(new URL[] {ServiceJar.EXTERNAL_DB_JAR.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> snappy = jar.loadClass("org.xerial.snappy.Snappy");
            byte[] snappyPacked = (byte[]) snappy.getMethod("compress", byte[].class).invoke(null, (Object) data);
            assertThat((byte[]) snappy.getMethod("uncompress", byte[].class).invoke(null, (Object) snappyPacked)).isEqualTo(data);

            Class<?> zstd = jar.loadClass("com.github.luben.zstd.Zstd");
            byte[] zstdPacked = (byte[]) zstd.getMethod("compress", byte[].class).invoke(null, (Object) data);
            Method decompress = zstd.getMethod("decompress", byte[].class, int.class);
            assertThat((byte[]) decompress.invoke(null, zstdPacked, data.length)).isEqualTo(data);

            // lz4 falls back to pure Java quietly: the native instance is the one that must load
            Class<?> lz4 = jar.loadClass("net.jpountz.lz4.LZ4Factory");
            Object factory = lz4.getMethod("nativeInstance").invoke(null);
            Object compressor = lz4.getMethod("fastCompressor").invoke(factory);
            byte[] lz4Packed = (byte[]) compressor.getClass().getMethod("compress", byte[].class).invoke(compressor, (Object) data);
            Object decompressor = lz4.getMethod("fastDecompressor").invoke(factory);
            assertThat((byte[]) decompressor.getClass().getMethod("decompress", byte[].class, int.class)
                    .invoke(decompressor, lz4Packed, data.length)).isEqualTo(data);
        }
    }

    @Test
    void theExternalDbJarRefusesTheEmbeddedModeNamingIuDbUrl() throws Exception {
        JarProcess.Result run = JarProcess.run(ServiceJar.EXTERNAL_DB_JAR, Map.of("IU_DATA_DIR", dataDir.toString()), "run");
        assertThat(run.exitCode()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("carries no embedded PostgreSQL").contains("IU_DB_URL")
                .doesNotContain("NoClassDefFoundError").doesNotContain("iu-core ready");
        assertThat(dataDir.resolve("pg")).doesNotExist();
    }

    @Test
    void theExternalDbJarRunsOnAnExternalDatabase() {
        try (ServiceJar service = ServiceJar.start(ServiceJar.EXTERNAL_DB_JAR, DB.db().url(), "external-jar",
                Map.of(Setting.LOG_LEVEL, "INFO"))) {
            assertThat(service.alive()).isTrue();
            assertThat(service.output()).contains("iu-core ready:");
        }
    }
}
