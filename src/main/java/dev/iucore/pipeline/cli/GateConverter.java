package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.gates.Gate;
import picocli.CommandLine;

/** Gate names as the database spells them; anything else is a usage error listing the gates. */
final class GateConverter implements CommandLine.ITypeConverter<Gate> {
    @Override
    public Gate convert(String value) {
        return Gate.fromSqlName(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                "unknown gate \"" + value + "\"; expected one of: " + Gate.allNames()));
    }
}
