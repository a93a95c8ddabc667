package io.zproj.zfs;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** {@link Zfs} by running the {@code zfs} and {@code zpool} commands. */
final class CommandZfs implements Zfs {

    private static final System.Logger LOG = System.getLogger(CommandZfs.class.getName());

    private final CommandRunner runner;
    private final Capabilities capabilities;
    private final String zfs;
    private final String zpool;

    private CommandZfs(CommandRunner runner, Capabilities capabilities) {
        this.runner = runner;
        this.capabilities = capabilities;
        this.zfs = runner.config().zfsBinary().toString();
        this.zpool = runner.config().zpoolBinary().toString();
    }

    static CommandZfs open(ZfsConfig config) throws ZfsException {
        CommandRunner runner = new CommandRunner(config);
        try {
            Capabilities caps = probe(runner);
            LOG.log(Level.INFO, "ZFS capabilities: " + caps.describe());
            CommandZfs bridge = new CommandZfs(runner, caps);
            bridge.listPools(); // fails now, clearly, if the daemon is down
            return bridge;
        } catch (ZfsException | RuntimeException e) {
            runner.close();
            throw e;
        }
    }

    /** Reads the usage texts; none of these commands needs a pool or changes anything. */
    static Capabilities probe(CommandRunner runner) throws ZfsException {
        String zfsBin = runner.config().zfsBinary().toString();
        CommandRunner.Result usage = runner.runAllowingFailure(List.of(zfsBin, "-?"));
        String zfsUsage = output(usage);
        ZfsException typed = ZfsErrors.classify(usage.command(), usage.exitCode(), zfsUsage);
        if (typed instanceof ZfsUnavailableException) {
            throw typed;
        }
        String zfsProps = output(runner.runAllowingFailure(List.of(zfsBin, "get")));
        String zpoolUsage = output(runner.runAllowingFailure(List.of(runner.config().zpoolBinary().toString(), "-?")));
        if (!zfsUsage.contains("send") || !zfsProps.contains("compression")) {
            throw new ZfsException("cannot probe ZFS: '" + zfsBin + " -?' printed no usage text", List.of(zfsBin, "-?"),
                    -1, zfsUsage);
        }
        return Capabilities.parse(zfsUsage, zfsProps, zpoolUsage);
    }

    private static String output(CommandRunner.Result r) {
        return r.stdout() + "\n" + r.stderr();
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    // ---------------------------------------------------------------- pools

    @Override
    public void createPool(PoolName pool, List<Path> vdevs, DatasetProperties rootProperties) throws ZfsException {
        if (vdevs.isEmpty()) {
            throw new IllegalArgumentException("a pool needs at least one vdev");
        }
        List<String> cmd = new ArrayList<>(List.of(zpool, "create", "-m", "none", "-O", "canmount=noauto"));
        for (Map.Entry<String, String> p : adapt(rootProperties.asMap()).entrySet()) {
            if (!p.getKey().equals("mountpoint")) {
                cmd.add("-O");
                cmd.add(p.getKey() + "=" + p.getValue());
            }
        }
        cmd.add(pool.value());
        for (Path vdev : vdevs) {
            cmd.add(requireAbsolute(vdev, "vdev"));
        }
        runner.run(cmd);
    }

    @Override
    public void importPool(PoolName pool, Path searchDir) throws ZfsException {
        List<String> cmd = new ArrayList<>(List.of(zpool, "import", "-d", requireAbsolute(searchDir, "search dir")));
        if (capabilities.importNoMount()) {
            cmd.add("-N");
        }
        cmd.add(pool.value());
        CommandRunner.Result r = runner.runAllowingFailure(cmd);
        if (r.exitCode() != 0) {
            String folded = ZfsErrors.fold(r.stderr()).toLowerCase(java.util.Locale.ROOT);
            if (folded.contains("no such pool") || folded.contains("cannot import") && folded.contains("no such")) {
                throw new PoolNotFoundException("no pool " + pool + " to import in " + searchDir + ": "
                        + ZfsErrors.fold(r.stderr()), cmd, r.exitCode(), r.stderr());
            }
            throw ZfsErrors.classify(cmd, r.exitCode(), r.stderr());
        }
    }

    @Override
    public void exportPool(PoolName pool, boolean force) throws ZfsException {
        runner.run(force ? List.of(zpool, "export", "-f", pool.value()) : List.of(zpool, "export", pool.value()));
    }

    @Override
    public void destroyPool(PoolName pool) throws ZfsException {
        // zfs-fuse reports a pool busy for a moment after its last dataset was unmounted
        long deadline = System.nanoTime() + runner.config().commandTimeout().toNanos();
        while (true) {
            try {
                runner.run(List.of(zpool, "destroy", "-f", pool.value()));
                return;
            } catch (PoolNotFoundException e) {
                LOG.log(Level.DEBUG, () -> "pool " + pool + " already gone");
                return;
            } catch (DatasetBusyException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleepQuietly(250);
            }
        }
    }

    @Override
    public List<PoolInfo> listPools() throws ZfsException {
        return parsePools(runner.run(poolListCommand(null)).stdout());
    }

    @Override
    public PoolInfo pool(PoolName pool) throws ZfsException {
        List<PoolInfo> pools = parsePools(runner.run(poolListCommand(pool)).stdout());
        if (pools.size() != 1) {
            throw new PoolNotFoundException("zpool list " + pool + " returned " + pools.size() + " pools",
                    poolListCommand(pool), 0, "");
        }
        return pools.get(0);
    }

    private List<String> poolListCommand(PoolName pool) {
        List<String> cmd = new ArrayList<>(List.of(zpool, "list", "-H"));
        if (capabilities.zpoolListParsable()) {
            cmd.add("-p");
        }
        cmd.addAll(List.of("-o", "name,size,allocated,free,health"));
        if (pool != null) {
            cmd.add(pool.value());
        }
        return cmd;
    }

    static List<PoolInfo> parsePools(String stdout) {
        List<PoolInfo> pools = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length < 5) {
                throw new IllegalStateException("unexpected zpool list line: " + Names.quote(line));
            }
            pools.add(new PoolInfo(PoolName.of(f[0]), f[4], parseSize(f[1]), parseSize(f[2]), parseSize(f[3])));
        }
        return pools;
    }

    /** A size as zpool or zfs print it: exact bytes, or rounded with a K/M/G/T/P/E suffix (powers of 1024). */
    static long parseSize(String text) {
        String t = text.trim();
        if (t.equals("-") || t.isEmpty()) {
            return 0;
        }
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        int power = "BKMGTPE".indexOf(last);
        if (power < 0) {
            return Long.parseLong(t);
        }
        double number = Double.parseDouble(t.substring(0, t.length() - 1));
        return (long) (number * Math.pow(1024, power));
    }

    @Override
    public long availableBytes(DatasetName dataset) throws ZfsException {
        return Long.parseLong(getProperty(dataset, "available"));
    }

    // ---------------------------------------------------------------- datasets

    @Override
    public void createDataset(DatasetName dataset, DatasetProperties properties) throws ZfsException {
        List<String> cmd = new ArrayList<>(List.of(zfs, "create"));
        for (Map.Entry<String, String> p : adapt(properties.asMap()).entrySet()) {
            cmd.add("-o");
            cmd.add(p.getKey() + "=" + p.getValue());
        }
        cmd.add(dataset.value());
        runner.run(cmd);
    }

    @Override
    public void clone(SnapshotName origin, DatasetName target, DatasetProperties properties) throws ZfsException {
        List<String> cmd = new ArrayList<>(List.of(zfs, "clone"));
        for (Map.Entry<String, String> p : adapt(properties.asMap()).entrySet()) {
            cmd.add("-o");
            cmd.add(p.getKey() + "=" + p.getValue());
        }
        cmd.add(origin.full());
        cmd.add(target.value());
        runner.run(cmd);
    }

    /** Replaces what the host cannot do with its nearest equivalent (lz4 becomes on, i.e. lzjb). */
    private Map<String, String> adapt(Map<String, String> properties) {
        if (capabilities.lz4Compression() || !"lz4".equals(properties.get("compression"))) {
            return properties;
        }
        Map<String, String> adapted = new LinkedHashMap<>(properties);
        adapted.put("compression", "on");
        LOG.log(Level.DEBUG, "this ZFS has no lz4; using compression=on");
        return adapted;
    }

    @Override
    public boolean exists(DatasetName dataset) throws ZfsException {
        try {
            runner.run(List.of(zfs, "get", "-H", "-p", "-o", "value", "type", dataset.value()));
            return true;
        } catch (DatasetNotFoundException | PoolNotFoundException e) {
            return false;
        }
    }

    @Override
    public boolean destroyDataset(DatasetName dataset) throws ZfsException {
        if (dataset.value().indexOf('/') < 0) {
            throw new IllegalArgumentException("refusing to destroy a pool's root dataset: " + dataset);
        }
        try {
            runner.run(List.of(zfs, "destroy", "-r", dataset.value()));
            return true;
        } catch (DatasetNotFoundException e) {
            return false;
        }
    }

    @Override
    public void rename(DatasetName from, DatasetName to) throws ZfsException {
        if (!from.pool().equals(to.pool())) {
            throw new IllegalArgumentException("cannot rename across pools: " + from + " -> " + to);
        }
        runner.run(List.of(zfs, "rename", from.value(), to.value()));
    }

    @Override
    public List<DatasetInfo> listChildren(DatasetName parent) throws ZfsException {
        Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "1",
                "-o", "name,property,value", "type,used,referenced,quota,available", parent.value()));
        List<DatasetInfo> children = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
            if (row.getKey().indexOf('@') >= 0 || !"filesystem".equals(row.getValue().get("type"))) {
                continue;
            }
            DatasetName name;
            try {
                name = DatasetName.of(row.getKey());
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "skipping dataset with a name zproj does not accept: " + e.getMessage());
                continue;
            }
            if (parent.isParentOf(name)) {
                children.add(info(name, row.getValue()));
            }
        }
        children.sort(Comparator.comparing(d -> d.name().value()));
        return children;
    }

    @Override
    public DatasetInfo datasetInfo(DatasetName dataset) throws ZfsException {
        return info(dataset, getProperties(dataset, List.of("used", "referenced", "quota", "available")));
    }

    private static DatasetInfo info(DatasetName name, Map<String, String> p) {
        return new DatasetInfo(name, Long.parseLong(p.get("used")), Long.parseLong(p.get("referenced")),
                parseQuota(p.get("quota")), parseLong(p.get("available")));
    }

    static OptionalLong parseQuota(String value) {
        if (value == null || value.equals("-") || value.equals("none") || value.equals("0")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(value));
    }

    /** Rows of {@code zfs get -H -p -o name,property,value}: name -> property -> value, in output order. */
    private Map<String, Map<String, String>> getRows(List<String> cmd) throws ZfsException {
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : runner.run(cmd).stdout().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", 3);
            if (f.length != 3) {
                throw new ZfsException("unexpected zfs get line: " + Names.quote(line), cmd, 0, "");
            }
            rows.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], f[2]);
        }
        return rows;
    }

    @Override
    public String getProperty(DatasetName dataset, String property) throws ZfsException {
        DatasetProperties.requireName(property);
        return runner.run(List.of(zfs, "get", "-H", "-p", "-o", "value", property, dataset.value()))
                .stdout().strip();
    }

    @Override
    public Map<String, String> getProperties(DatasetName dataset, List<String> properties) throws ZfsException {
        properties.forEach(DatasetProperties::requireName);
        List<String> cmd = List.of(zfs, "get", "-H", "-p", "-o", "name,property,value",
                String.join(",", properties), dataset.value());
        return getRows(cmd).getOrDefault(dataset.value(), Map.of());
    }

    @Override
    public Map<String, Map<String, String>> snapshotProperties(DatasetName dataset, List<String> properties)
            throws ZfsException {
        properties.forEach(DatasetProperties::requireName);
        Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "1",
                "-o", "name,property,value", String.join(",", properties) + ",createtxg", dataset.value()));
        List<Map.Entry<String, Map<String, String>>> snaps = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
            int at = row.getKey().indexOf('@');
            if (at > 0 && row.getKey().substring(0, at).equals(dataset.value())) {
                snaps.add(Map.entry(row.getKey().substring(at + 1), row.getValue()));
            }
        }
        snaps.sort(Comparator.comparingLong(e -> parseLong(e.getValue().get("createtxg"))));
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        snaps.forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    @Override
    public Map<DatasetName, String> childProperty(DatasetName parent, String property) throws ZfsException {
        DatasetProperties.requireName(property);
        Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "1",
                "-o", "name,property,value", property + ",type", parent.value()));
        Map<DatasetName, String> out = new LinkedHashMap<>();
        rows.forEach((name, p) -> {
            if (name.indexOf('@') < 0 && "filesystem".equals(p.get("type"))) {
                try {
                    DatasetName child = DatasetName.of(name);
                    if (parent.isParentOf(child)) {
                        out.put(child, p.getOrDefault(property, "-"));
                    }
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.DEBUG, () -> "skipping a name zproj does not accept: " + e.getMessage());
                }
            }
        });
        return out;
    }

    @Override
    public void setProperty(DatasetName dataset, String property, String value) throws ZfsException {
        runner.run(setCommand(dataset, property, value));
    }

    private List<String> setCommand(DatasetName dataset, String property, String value) {
        DatasetProperties.requireName(property);
        DatasetProperties.requireValue(property, value);
        String v = adapt(Map.of(property, value)).get(property);
        return List.of(zfs, "set", property + "=" + v, dataset.value());
    }

    @Override
    public void mount(DatasetName dataset, Path mountpoint) throws ZfsException {
        String wanted = DatasetProperties.requireMountpoint(mountpoint);
        Map<String, String> p = getProperties(dataset, List.of("mounted", "mountpoint"));
        boolean mounted = "yes".equals(p.get("mounted"));
        if (mounted && wanted.equals(p.get("mountpoint"))) {
            return;
        }
        if (!wanted.equals(p.get("mountpoint"))) {
            setProperty(dataset, "mountpoint", wanted); // moves a mounted dataset; an unmounted one stays so
            if (mounted) {
                mounted = isMounted(dataset);
            }
        }
        if (!mounted) {
            mountAtItsMountpoint(dataset, mountpoint);
        }
    }

    /** {@code zfs mount} of a dataset whose mountpoint property is already {@code mountpoint}. */
    private void mountAtItsMountpoint(DatasetName dataset, Path mountpoint) throws ZfsException {
        try {
            Files.createDirectories(mountpoint);
        } catch (IOException e) {
            throw new ZfsException("cannot create mountpoint " + mountpoint + " for " + dataset + ": " + e, e);
        }
        try {
            runner.run(List.of(zfs, "mount", dataset.value()));
        } catch (ZfsException e) {
            if (!isMounted(dataset)) { // "already mounted" by a concurrent caller is success
                throw e;
            }
        }
    }

    @Override
    public boolean unmount(DatasetName dataset) throws ZfsException {
        if (!isMounted(dataset)) {
            return false;
        }
        try {
            runner.run(List.of(zfs, "unmount", dataset.value()));
            return true;
        } catch (ZfsException e) {
            if (e instanceof DatasetBusyException || isMounted(dataset)) {
                throw e;
            }
            return false; // unmounted by someone else meanwhile
        }
    }

    @Override
    public boolean isMounted(DatasetName dataset) throws ZfsException {
        return "yes".equals(getProperty(dataset, "mounted"));
    }

    // ---------------------------------------------------------------- quotas

    @Override
    public void setQuota(DatasetName dataset, long bytes) throws ZfsException {
        if (bytes < 0) {
            throw new IllegalArgumentException("quota must be >= 0: " + bytes);
        }
        setProperty(dataset, "quota", bytes == 0 ? "none" : Long.toString(bytes));
    }

    @Override
    public OptionalLong quota(DatasetName dataset) throws ZfsException {
        return parseQuota(getProperty(dataset, "quota"));
    }

    // ---------------------------------------------------------------- snapshots

    @Override
    public Snapshot snapshot(DatasetName dataset) throws ZfsException {
        return snapshot(dataset.snapshot(Snapshots.zprojName(runner.config().clock())));
    }

    @Override
    public Snapshot snapshot(SnapshotName name) throws ZfsException {
        runner.run(List.of(zfs, "snapshot", name.full()));
        Map<String, String> p = getRows(List.of(zfs, "get", "-H", "-p", "-o", "name,property,value",
                "guid,createtxg,creation", name.full())).get(name.full());
        return toSnapshot(name, p);
    }

    @Override
    public List<Snapshot> snapshotAndList(DatasetName dataset) throws ZfsException {
        runner.run(List.of(zfs, "snapshot", dataset.snapshot(Snapshots.zprojName(runner.config().clock())).full()));
        return listSnapshots(dataset);
    }

    @Override
    public List<Snapshot> listSnapshots(DatasetName dataset) throws ZfsException {
        return snapshotsAndProperties(dataset, List.of()).snapshots();
    }

    @Override
    public DatasetState describe(DatasetName dataset) throws ZfsException {
        Described d = snapshotsAndProperties(dataset, List.of("used", "referenced", "quota", "available"));
        return new DatasetState(info(dataset, d.properties()), d.snapshots());
    }

    /** A dataset's own properties and its snapshots, oldest first. */
    private record Described(Map<String, String> properties, List<Snapshot> snapshots) {}

    /**
     * One {@code zfs get -d 1}: the dataset's {@code properties} (its own row) and its snapshots
     * (their {@code guid,createtxg,creation} rows).
     */
    private Described snapshotsAndProperties(DatasetName dataset, List<String> properties) throws ZfsException {
        properties.forEach(DatasetProperties::requireName);
        List<String> wanted = new ArrayList<>(List.of("guid", "createtxg", "creation"));
        properties.stream().filter(p -> !wanted.contains(p)).forEach(wanted::add);
        Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "1",
                "-o", "name,property,value", String.join(",", wanted), dataset.value()));
        String prefix = dataset.value() + "@";
        List<Snapshot> snapshots = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
            if (!row.getKey().startsWith(prefix)) {
                continue;
            }
            try {
                snapshots.add(toSnapshot(dataset.snapshot(row.getKey().substring(prefix.length())), row.getValue()));
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "skipping snapshot with a name zproj does not accept: " + e.getMessage());
            }
        }
        snapshots.sort(Comparator.comparingLong(Snapshot::createTxg));
        return new Described(rows.getOrDefault(dataset.value(), Map.of()), snapshots);
    }

    @Override
    public Map<DatasetName, List<Snapshot>> listChildSnapshots(DatasetName parent) throws ZfsException {
        Map<DatasetName, List<Snapshot>> result = new LinkedHashMap<>();
        childSnapshotRows(parent, "guid,createtxg,creation").forEach((ds, snapshots) -> {
            List<Snapshot> list = new ArrayList<>();
            snapshots.forEach((name, p) -> {
                try {
                    list.add(toSnapshot(ds.snapshot(name), p));
                } catch (IllegalArgumentException e) {
                    LOG.log(Level.DEBUG, () -> "skipping a name zproj does not accept: " + e.getMessage());
                }
            });
            list.sort(Comparator.comparingLong(Snapshot::createTxg));
            result.put(ds, list);
        });
        return result;
    }

    /**
     * One {@code zfs get -d 2} of {@code parent}: each direct child filesystem with its snapshots'
     * properties (snapshot short name -> property -> value, in output order; none: an empty map).
     * Names zproj does not accept are skipped.
     */
    private Map<DatasetName, Map<String, Map<String, String>>> childSnapshotRows(DatasetName parent, String properties)
            throws ZfsException {
        Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "2",
                "-o", "name,property,value", "type," + properties, parent.value()));
        Map<DatasetName, Map<String, Map<String, String>>> result = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
            String name = row.getKey();
            int at = name.indexOf('@');
            try {
                DatasetName ds = DatasetName.of(at < 0 ? name : name.substring(0, at));
                if (!parent.isParentOf(ds)) {
                    continue;
                }
                if (at < 0) {
                    if ("filesystem".equals(row.getValue().get("type"))) {
                        result.putIfAbsent(ds, new LinkedHashMap<>());
                    }
                } else {
                    result.computeIfAbsent(ds, k -> new LinkedHashMap<>()).put(name.substring(at + 1), row.getValue());
                }
            } catch (IllegalArgumentException e) {
                LOG.log(Level.DEBUG, () -> "skipping a name zproj does not accept: " + e.getMessage());
            }
        }
        return result;
    }

    @Override
    public java.util.Set<DatasetName> changedChildren(DatasetName parent) throws ZfsException {
        java.util.Set<DatasetName> changed = new java.util.TreeSet<>(Comparator.comparing(DatasetName::value));
        if (capabilities.writtenProperty()) {
            Map<String, Map<String, String>> rows = getRows(List.of(zfs, "get", "-H", "-p", "-d", "1",
                    "-o", "name,property,value", "type,written", parent.value()));
            for (Map.Entry<String, Map<String, String>> row : rows.entrySet()) {
                DatasetName ds = childOrNull(parent, row.getKey());
                if (ds != null && "filesystem".equals(row.getValue().get("type"))
                        && parseLong(row.getValue().get("written")) > 0) {
                    changed.add(ds);
                }
            }
            return changed;
        }
        writeOpenTransactionGroup(parent);
        childSnapshotRows(parent, "createtxg,used").forEach((ds, snapshots) -> {
            if (changedSinceNewest(snapshots.values())) {
                changed.add(ds);
            }
        });
        return changed;
    }

    @Override
    public boolean childChanged(DatasetName parent, DatasetName child) throws ZfsException {
        if (!parent.isParentOf(child)) {
            throw new IllegalArgumentException(child + " is not a direct child of " + parent);
        }
        if (capabilities.writtenProperty()) {
            return parseLong(getProperty(child, "written")) > 0;
        }
        writeOpenTransactionGroup(parent);
        return changedSinceNewest(snapshotProperties(child, List.of("used")).values()); // with createtxg
    }

    /**
     * Makes the pool write its open transaction group, in one command: setting a property is a
     * sync task, which returns once the group it joined is on disk (cheaper than a snapshot,
     * which also needs a destroy). Every change made before the call is then in some snapshot's
     * {@code used}.
     */
    private void writeOpenTransactionGroup(DatasetName parent) throws ZfsException {
        setProperty(parent, "zproj:synced", Long.toString(System.nanoTime()));
    }

    /** Whether the newest of these snapshots ({@code createtxg,used} rows) has a change after it; none: yes. */
    private static boolean changedSinceNewest(java.util.Collection<Map<String, String>> snapshots) {
        long newestTxg = -1;
        long newestUsed = 1; // no snapshot: everything in it is a change
        for (Map<String, String> p : snapshots) {
            long txg = parseLong(p.get("createtxg"));
            if (txg > newestTxg) {
                newestTxg = txg;
                newestUsed = parseLong(p.get("used"));
            }
        }
        return newestUsed > 0;
    }

    private static DatasetName childOrNull(DatasetName parent, String name) {
        try {
            DatasetName ds = DatasetName.of(name);
            return parent.isParentOf(ds) ? ds : null;
        } catch (IllegalArgumentException e) {
            return null; // a name zproj does not accept is none of its projects
        }
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Snapshot toSnapshot(SnapshotName name, Map<String, String> p) {
        if (p == null || p.get("guid") == null) {
            throw new IllegalStateException("zfs get printed no guid for " + name);
        }
        return new Snapshot(name, Long.parseUnsignedLong(p.get("guid")), Long.parseLong(p.get("createtxg")),
                Instant.ofEpochSecond(Long.parseLong(p.get("creation"))));
    }

    @Override
    public void hold(SnapshotName snapshot, String tag) throws ZfsException {
        requireTag(tag);
        CommandRunner.Result r = runner.runAllowingFailure(List.of(zfs, "hold", tag, snapshot.full()));
        if (r.exitCode() != 0 && !r.stderr().contains("tag already exists")) {
            throw ZfsErrors.classify(r.command(), r.exitCode(), r.stderr());
        }
    }

    @Override
    public boolean release(SnapshotName snapshot, String tag) throws ZfsException {
        requireTag(tag);
        CommandRunner.Result r = runner.runAllowingFailure(List.of(zfs, "release", tag, snapshot.full()));
        if (r.exitCode() == 0) {
            return true;
        }
        if (r.stderr().contains("no such tag") || r.stderr().contains("does not exist")) {
            return false;
        }
        throw ZfsErrors.classify(r.command(), r.exitCode(), r.stderr());
    }

    /** A hold tag: printable, no spaces, not an option, at most 200 characters. */
    private static void requireTag(String tag) {
        if (tag.isEmpty() || tag.length() > 200 || tag.startsWith("-") || !tag.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("not a hold tag: " + Names.quote(tag));
        }
    }

    @Override
    public boolean destroySnapshot(SnapshotName snapshot) throws ZfsException {
        try {
            runner.run(List.of(zfs, "destroy", snapshot.full()));
            return true;
        } catch (DatasetNotFoundException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- streams

    @Override
    public SendStream send(SnapshotName snapshot, Optional<SnapshotName> base) throws ZfsException {
        List<String> cmd = new ArrayList<>(List.of(zfs, "send"));
        if (base.isPresent()) {
            if (!base.get().dataset().equals(snapshot.dataset())) {
                throw new IllegalArgumentException("incremental base " + base.get() + " is not a snapshot of "
                        + snapshot.dataset());
            }
            cmd.add("-i");
            cmd.add(base.get().full());
        }
        cmd.add(snapshot.full());
        return new ProcessSendStream(snapshot, runner.startStream(cmd, false));
    }

    @Override
    public ReceiveStream receive(DatasetName target, ReceiveOptions options) throws ZfsException {
        try {
            return start(target, options, true, quota(target));
        } catch (DatasetNotFoundException | PoolNotFoundException e) {
            return start(target, options, false, OptionalLong.empty());
        }
    }

    @Override
    public ReceiveStream receive(DatasetState into, ReceiveOptions options) throws ZfsException {
        return start(into.info().name(), options, true, into.info().quota());
    }

    @Override
    public ReceiveStream receiveNew(DatasetName target, ReceiveOptions options) throws ZfsException {
        return start(target, options, false, OptionalLong.empty());
    }

    private ReceiveStream start(DatasetName target, ReceiveOptions options, boolean existed, OptionalLong priorQuota)
            throws ZfsException {
        if (target.value().indexOf('/') < 0) {
            throw new IllegalArgumentException("cannot receive into a pool's root dataset: " + target);
        }
        List<String> cmd = new ArrayList<>(List.of(zfs, "receive"));
        if (options.force()) {
            cmd.add("-F");
        }
        if (options.noAutoMount() && options.mountAt().isEmpty() && capabilities.receiveNoMount()) {
            cmd.add("-u");
        }
        cmd.add(target.value());
        return new ProcessReceiveStream(this, runner.startStream(cmd, true), target, options, existed, priorQuota);
    }

    /**
     * Makes sure a receive that did not finish left nothing partial, and says what the target
     * looks like now.
     */
    String cleanUpFailedReceive(DatasetName target, boolean existedBefore, String stderr) throws ZfsException {
        if (!existedBefore && ZfsErrors.classify(List.of(), 1, stderr) instanceof DatasetExistsException) {
            return target + " was made by someone else after it was seen absent; it was left as it is";
        }
        if (!existedBefore) {
            // A killed receive may still hold its dataset for a moment (zfs-fuse finishes the
            // ioctl in its daemon, then removes the partial dataset itself): wait for that.
            long deadline = System.nanoTime() + runner.config().commandTimeout().toNanos();
            while (exists(target)) {
                try {
                    unmount(target);
                    destroyDataset(target);
                    return "the partial dataset " + target + " was destroyed; nothing partial was kept";
                } catch (DatasetNotFoundException e) {
                    break; // zfs-fuse removed it between our look and our command
                } catch (DatasetBusyException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleepQuietly(100);
                }
            }
            return target + " does not exist; nothing partial was kept";
        }
        Optional<Snapshot> head = newestSnapshot(target);
        return target + " is as it was, its newest snapshot " + head.map(s -> "@" + s.name().name()).orElse("(none)");
    }

    /**
     * After a successful receive: a new dataset is left unmounted and {@code canmount=noauto} if
     * asked (an existing one keeps its mount state), or mounted where asked; and the quota is put
     * back. One command reads what needs changing and what the dataset now holds.
     *
     * @return the received dataset's space and snapshots
     */
    DatasetState afterReceive(DatasetName target, ReceiveOptions options, boolean existedBefore,
            OptionalLong priorQuota) throws ZfsException {
        // A new dataset inherited its mountpoint and is canmount=on: setting its mountpoint mounts it
        // there (or moves it there, if the receive mounted it where it inherited), while the read runs
        // and canmount=noauto is set (if that lands first, the mount below is made by zfs mount).
        boolean setAtOnce = !existedBefore && options.mountAt().isPresent();
        List<java.util.concurrent.CompletableFuture<CommandRunner.Result>> setting = setAtOnce
                ? List.of(runner.runAsync(setCommand(target, "mountpoint", DatasetProperties.requireMountpoint(
                        options.mountAt().get()))), runner.runAsync(setCommand(target, "canmount", "noauto")))
                : List.of();
        Described now;
        try {
            now = snapshotsAndProperties(target,
                    List.of("canmount", "mounted", "mountpoint", "quota", "used", "referenced", "available"));
        } finally {
            for (java.util.concurrent.CompletableFuture<CommandRunner.Result> f : setting) {
                awaitCommand(f);
            }
        }
        Map<String, String> p = now.properties();
        if (options.mountAt().isPresent()) {
            mountReceived(target, options.mountAt().get(), setAtOnce, p);
        } else if (options.noAutoMount()) {
            if (!"noauto".equals(p.get("canmount"))) {
                setProperty(target, "canmount", "noauto");
            }
            if (!existedBefore && !capabilities.receiveNoMount() && "yes".equals(p.get("mounted"))) {
                unmount(target);
            }
        }
        OptionalLong wanted = options.quota().isPresent() ? options.quota() : priorQuota;
        DatasetInfo info = info(target, p);
        if (wanted.isPresent() && !info.quota().equals(parseQuota(Long.toString(wanted.getAsLong())))) {
            setQuota(target, wanted.getAsLong());
            info = new DatasetInfo(target, info.used(), info.referenced(), wanted, info.available());
        }
        return new DatasetState(info, now.snapshots());
    }

    /**
     * Mounts a just received dataset at {@code path} and sets {@code canmount=noauto}, from the
     * properties read after the receive (both already set if {@code propertiesSet}).
     * zfs-fuse's exit status and its {@code mounted} property can claim a mount that did not
     * happen, so the kernel's mount table decides whether a {@code zfs mount} is still needed.
     */
    private void mountReceived(DatasetName target, Path path, boolean propertiesSet, Map<String, String> p)
            throws ZfsException {
        String wanted = DatasetProperties.requireMountpoint(path);
        if (!propertiesSet && !wanted.equals(p.get("mountpoint"))) {
            setProperty(target, "mountpoint", wanted);
        }
        if (!MountTable.isMounted(path)) {
            mountAtItsMountpoint(target, path);
        }
        if (!propertiesSet && !"noauto".equals(p.get("canmount"))) {
            setProperty(target, "canmount", "noauto");
        }
    }

    private static void awaitCommand(java.util.concurrent.CompletableFuture<CommandRunner.Result> command)
            throws ZfsException {
        try {
            command.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof ZfsException z) {
                throw z;
            }
            throw e;
        }
    }

    private static void sleepQuietly(long millis) throws ZfsException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ZfsException("interrupted while cleaning up", e);
        }
    }

    private static String requireAbsolute(Path path, String what) {
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw new IllegalArgumentException(what + " must be an absolute path without '.' or '..': " + path);
        }
        return path.toString();
    }

    @Override
    public void close() {
        runner.close();
    }
}
