package io.zproj.bench;

/**
 * One measured run of one test on one system.
 *
 * @param workload       e.g. {@code 2 walk}
 * @param test           e.g. {@code ls -lR cold}
 * @param system         {@code zproj}, {@code native}, {@code gluster}, or a baseline such as {@code zfs send|recv}
 * @param value          the measurement in {@code unit}
 * @param higherIsBetter true for rates (MiB/s, IOPS), false for times
 * @param note           anything else measured with it (bytes on the wire), or empty
 */
record Sample(String workload, String test, String system, int run, double value, String unit,
        boolean higherIsBetter, String note) {

    static Sample seconds(String workload, String test, String system, int run, double seconds) {
        return new Sample(workload, test, system, run, seconds, "s", false, "");
    }

    Sample withNote(String text) {
        return new Sample(workload, test, system, run, value, unit, higherIsBetter, text);
    }
}
