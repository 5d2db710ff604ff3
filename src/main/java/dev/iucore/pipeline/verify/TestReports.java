package dev.iucore.pipeline.verify;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The test-suite outcome of a build, for the regression matrix's {@code tests:*} rows (the field
 * report's "Tests passing"): the {@code <testsuite>} totals of the JUnit XML reports Maven's
 * surefire and failsafe write ({@code target/surefire-reports/TEST-*.xml}).
 */
public record TestReports(long passed, long failed, long skipped, int files) {

    /** @throws IllegalArgumentException naming the directory or file when it has no readable report */
    public static TestReports read(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new IllegalArgumentException("--test-reports " + directory + " is not a directory; give the build's "
                    + "target/surefire-reports (or failsafe-reports)");
        }
        List<Path> reports = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "TEST-*.xml")) {
            files.forEach(reports::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("--test-reports " + directory + " cannot be read: " + e.getMessage(), e);
        }
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("--test-reports " + directory + " holds no TEST-*.xml report: run the "
                    + "tests first (mvn -B verify), or leave the option out when the outcome is not known");
        }
        long tests = 0;
        long failed = 0;
        long skipped = 0;
        for (Path report : reports) {
            long[] totals = totals(report);
            tests += totals[0];
            failed += totals[1] + totals[2];
            skipped += totals[3];
        }
        return new TestReports(tests - failed - skipped, failed, skipped, reports.size());
    }

    /** tests, failures, errors, skipped of the report's root {@code <testsuite>}. */
    private static long[] totals(Path report) {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        // a report is data: no DTD, no external entity is ever read
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try (InputStream in = Files.newInputStream(report)) {
            XMLStreamReader xml = factory.createXMLStreamReader(in);
            while (xml.hasNext()) {
                if (xml.next() == XMLStreamReader.START_ELEMENT) {
                    if (!"testsuite".equals(xml.getLocalName())) {
                        break;
                    }
                    return new long[] {count(xml, "tests", report), count(xml, "failures", report),
                        count(xml, "errors", report), count(xml, "skipped", report)};
                }
            }
        } catch (IOException | XMLStreamException e) {
            throw new IllegalArgumentException("test report " + report + " cannot be read: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("test report " + report + " is not a JUnit report: its root is not <testsuite>");
    }

    private static long count(XMLStreamReader xml, String attribute, Path report) {
        String value = xml.getAttributeValue(null, attribute);
        if (value == null) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("test report " + report + ": " + attribute + "=\"" + value
                    + "\" is not a whole number", e);
        }
    }
}
