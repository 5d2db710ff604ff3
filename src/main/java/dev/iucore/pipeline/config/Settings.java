package dev.iucore.pipeline.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolved configuration. Later sources win: the packaged {@code application.properties}, the
 * optional file named by {@code iu.config-file}, environment variables, JVM system properties.
 * The same merged view is handed to Camel Main, so routes and commands agree on every value.
 * A Camel key those files set also takes its environment variable ({@code camel.management.port}
 * from {@code CAMEL_MANAGEMENT_PORT}): Camel reads its variables itself, but skips any ending in
 * {@code _PORT}, which it takes for Kubernetes service links.
 */
public final class Settings {

    private static final String PACKAGED = "application.properties";

    private final Properties values;

    private Settings(Properties values) {
        this.values = values;
    }

    public static Settings load() {
        return load(System.getenv(), System.getProperties());
    }

    public static Settings load(Map<String, String> env, Properties system) {
        Properties merged = new Properties();
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(PACKAGED)) {
            if (in != null) {
                merged.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packaged " + PACKAGED, e);
        }
        String configFile = firstNonEmpty(system.getProperty(Setting.CONFIG_FILE.key()),
                env.get(Setting.CONFIG_FILE.envName()));
        if (configFile != null) {
            Path path = Path.of(configFile);
            try (Reader reader = Files.newBufferedReader(path)) {
                merged.load(reader);
            } catch (IOException e) {
                throw new ConfigurationException("cannot read the configuration file " + path.toAbsolutePath()
                        + " named by " + Setting.CONFIG_FILE.envName() + ": " + e.getMessage());
            }
        }
        for (Setting setting : Setting.values()) {
            String fromEnv = env.get(setting.envName());
            if (fromEnv != null && !setting.named()) {
                merged.setProperty(setting.key(), fromEnv);
            }
        }
        namedFromEnvironment(env, merged);
        for (String key : merged.stringPropertyNames()) {
            String fromEnv = key.startsWith("camel.") ? env.get(Setting.envName(key)) : null;
            if (fromEnv != null) {
                merged.setProperty(key, fromEnv);
            }
        }
        for (String key : system.stringPropertyNames()) {
            if (key.startsWith("iu.") || key.startsWith("camel.")) {
                merged.setProperty(key, system.getProperty(key));
            }
        }
        return new Settings(merged);
    }

    /** A copy with some values replaced; tests and embedded callers use it. */
    public Settings with(Map<Setting, String> overrides) {
        Properties copy = new Properties();
        copy.putAll(values);
        overrides.forEach((setting, value) -> copy.setProperty(setting.key(), value));
        return new Settings(copy);
    }

    public Settings with(Setting setting, String value) {
        return with(Map.of(setting, value));
    }

    /** A copy with any property replaced, Camel's own keys included ({@code camel.management.port}). */
    public Settings withProperty(String key, String value) {
        Properties copy = new Properties();
        copy.putAll(values);
        copy.setProperty(key, value);
        return new Settings(copy);
    }

    public String get(Setting setting) {
        return values.getProperty(setting.key(), setting.defaultValue()).trim();
    }

    public Optional<String> optional(Setting setting) {
        String value = get(setting);
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    public int getInt(Setting setting) {
        return Integer.parseInt(checked(setting));
    }

    public double getDouble(Setting setting) {
        return Double.parseDouble(checked(setting));
    }

    public boolean getBoolean(Setting setting) {
        return Boolean.parseBoolean(checked(setting));
    }

    /**
     * Every setting against its {@link ValueRule} and the rules between them, all at once, so a
     * bad configuration stops the service at start with every mistake named, not at first use.
     */
    public void validate() {
        List<String> problems = new ArrayList<>();
        for (Setting setting : Setting.values()) {
            problem(setting).ifPresent(problems::add);
        }
        if (problems.isEmpty() && getInt(Setting.DELIVERY_ROUTE_CONCURRENCY) > getInt(Setting.DELIVERY_ROUTE_CONCURRENCY_MAX)) {
            problems.add(Setting.DELIVERY_ROUTE_CONCURRENCY.key() + " (" + getInt(Setting.DELIVERY_ROUTE_CONCURRENCY)
                    + ") must not exceed " + Setting.DELIVERY_ROUTE_CONCURRENCY_MAX.key() + " ("
                    + getInt(Setting.DELIVERY_ROUTE_CONCURRENCY_MAX) + ")");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(String.join("; ", problems));
        }
    }

    private String checked(Setting setting) {
        problem(setting).ifPresent(problem -> {
            throw new ConfigurationException(problem);
        });
        return get(setting);
    }

    private Optional<String> problem(Setting setting) {
        return Optional.ofNullable(setting.rule().problem(get(setting)))
                .map(problem -> setting.key() + " (env " + setting.envName() + ") " + problem);
    }

    /** Any property by key, ours or Camel's, as resolved. */
    public Optional<String> raw(String key) {
        return Optional.ofNullable(values.getProperty(key));
    }

    /**
     * What Camel may see as properties: packaged and file properties plus our resolved settings,
     * except the {@link Setting#secret() secret} ones (DESIGN §11: passwords are never Camel properties).
     */
    public Map<String, String> camelProperties() {
        Map<String, String> map = new HashMap<>();
        for (String key : values.stringPropertyNames()) {
            map.put(key, values.getProperty(key));
        }
        for (Setting setting : Setting.values()) {
            if (!setting.named()) {
                map.putIfAbsent(setting.key(), setting.defaultValue());
            }
            if (setting.secret()) {
                map.remove(setting.key());
            }
        }
        return map;
    }

    /**
     * The variables of {@link Setting#named() named} settings: {@code IU_KAFKA_CLUSTERS_EAST_SASL_USERNAME}
     * is {@code iu.kafka.clusters.east.sasl-username} (a name is lower case in its keys).
     */
    private static void namedFromEnvironment(Map<String, String> env, Properties merged) {
        for (Setting setting : Setting.values()) {
            if (setting.named()) {
                String[] around = setting.envName().split(Pattern.quote(Setting.envName(Setting.NAME)), 2);
                Pattern variable = Pattern.compile(Pattern.quote(around[0]) + "([A-Z][A-Z0-9_]*)" + Pattern.quote(around[1]));
                env.forEach((name, value) -> {
                    Matcher m = variable.matcher(name);
                    if (m.matches()) {
                        merged.setProperty(setting.key(m.group(1).toLowerCase(java.util.Locale.ROOT)), value);
                    }
                });
            }
        }
    }

    /** Every property key with this prefix, ours or Camel's, as resolved. */
    public SortedSet<String> keys(String prefix) {
        SortedSet<String> keys = new TreeSet<>();
        for (String key : values.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** A {@link Setting#named() named} setting of one name, or its default. */
    public String get(Setting setting, String name) {
        return values.getProperty(setting.key(name), setting.defaultValue()).trim();
    }

    /**
     * The names a {@link Setting#named() named} setting is given for, in order
     * ({@code iu.kafka.clusters.east.bootstrap-servers} names {@code east}).
     */
    public SortedSet<String> names(Setting setting) {
        String[] around = setting.key().split(Pattern.quote(Setting.NAME), 2);
        Pattern key = Pattern.compile(Pattern.quote(around[0]) + "([^.]+)" + Pattern.quote(around[1]));
        SortedSet<String> names = new TreeSet<>();
        for (String property : values.stringPropertyNames()) {
            Matcher m = key.matcher(property);
            if (m.matches()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    private static String firstNonEmpty(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }
}
