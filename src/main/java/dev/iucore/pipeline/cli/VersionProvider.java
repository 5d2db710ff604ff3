package dev.iucore.pipeline.cli;

import picocli.CommandLine;

/** The version from the jar manifest, or "development" when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = IuCoreCommand.class.getPackage().getImplementationVersion();
        return new String[] {"iu-core " + (version == null ? "development" : version)};
    }
}
