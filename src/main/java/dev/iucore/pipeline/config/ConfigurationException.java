package dev.iucore.pipeline.config;

/** A configuration value that cannot be used; the message names the key and what it expects. */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
