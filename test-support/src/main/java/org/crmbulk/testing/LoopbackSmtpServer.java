package org.crmbulk.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** What the test relays share: a loopback socket, one thread per session, and the wire helpers. */
abstract class LoopbackSmtpServer implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads;

    LoopbackSmtpServer(String threadName, int backlog) throws IOException {
        server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts accepting; called last in a subclass's constructor, so sessions see it fully built. */
    final void start() {
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Serves one client connection until it ends. */
    abstract void session(Socket socket);

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                threads.execute(() -> session(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    static String header(String data, String name) {
        for (String line : data.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }

    /** NOOP, QUIT and anything unknown; false when the session is over. */
    static boolean answerOther(String cmd, OutputStream out) throws IOException {
        switch (cmd) {
            case "NOOP" -> reply(out, "250 2.0.0 OK");
            case "QUIT" -> {
                reply(out, "221 2.0.0 Bye");
                return false;
            }
            default -> reply(out, "502 5.5.2 Command not recognized");
        }
        return true;
    }

    static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
