package dev.iucore.pipeline.cli;

import dev.iucore.pipeline.config.Settings;

/** {@code java -jar iu-core-pipeline.jar <command>}: runs one command and exits with its code. */
public final class IuCoreMain {

    private IuCoreMain() {
    }

    public static void main(String[] args) {
        int exit;
        try {
            exit = IuCoreCli.execute(Settings.load(), System.out, System.err, args);
        } catch (RuntimeException e) {
            // configuration that cannot even be read: say so, no stack trace
            System.err.println("iu-core: " + e.getMessage());
            exit = ExitCode.FAILED;
        }
        System.exit(exit);
    }
}
