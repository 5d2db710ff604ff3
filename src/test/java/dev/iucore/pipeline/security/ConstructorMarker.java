package dev.iucore.pipeline.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExchangeFormatter;

/**
 * A class an attacker would name in a route file ({@code #class:}, {@code beans}, {@code beanType}):
 * its constructor leaves a file behind, so a test sees whether anything ever created one.
 */
public class ConstructorMarker implements ExchangeFormatter {

    /** Where the constructor writes; set by the test before the attack. */
    static volatile Path marker;

    public ConstructorMarker() {
        try {
            Files.writeString(marker, "constructed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String format(Exchange exchange) {
        return "";
    }
}
