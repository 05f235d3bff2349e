# shellcheck shell=bash
# domains.sh - the generated domains the benchmarks tune, sourced by
# bench/compare.sh and bench/static-link.sh.

# big_domain NAME: a virt-install-like q35 guest of about 38 KB: 32 vCPUs,
# 64 GiB, 24 virtio and 8 SCSI disks, 16 NICs, 48 PCIe root ports, SCSI, USB and
# virtio-serial controllers, channels, consoles, graphics and the rest,
# every device with the address libvirt gives it
big_domain() {
    local i bus=1
    rootport() {  # one pcie-root-port controller, index $1
        local idx=$1 slot=$(( 2 + ($1 - 1) / 8 )) fn=$(( ($1 - 1) % 8 ))
        printf '    <controller type="pci" index="%d" model="pcie-root-port">\n' "$idx"
        printf '      <model name="pcie-root-port"/>\n'
        printf '      <target chassis="%d" port="0x%x"/>\n' "$idx" $(( 0x10 + idx - 1 ))
        printf '      <alias name="pci.%d"/>\n' "$idx"
        printf '      <address type="pci" domain="0x0000" bus="0x00" slot="0x%02x" function="0x%x"%s/>\n' \
            "$slot" "$fn" "$([ "$fn" = 0 ] && echo ' multifunction="on"')"
        printf '    </controller>\n'
    }
    cat <<X
<domain type="kvm">
  <name>$1</name>
  <uuid>5a3c1b0e-8f3d-4c41-9a8e-2b7d6c0f1e23</uuid>
  <title>Large application server</title>
  <description>A virt-install-like guest with many devices (bench/compare.sh)</description>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
      <libosinfo:os id="http://debian.org/debian/12"/>
    </libosinfo:libosinfo>
  </metadata>
  <memory unit="KiB">67108864</memory>
  <currentMemory unit="KiB">67108864</currentMemory>
  <vcpu placement="static">32</vcpu>
  <resource>
    <partition>/machine</partition>
  </resource>
  <os firmware="efi">
    <type arch="x86_64" machine="pc-q35-7.2">hvm</type>
    <firmware>
      <feature enabled="yes" name="enrolled-keys"/>
      <feature enabled="yes" name="secure-boot"/>
    </firmware>
    <loader readonly="yes" secure="yes" type="pflash">/usr/share/OVMF/OVMF_CODE_4M.ms.fd</loader>
    <nvram template="/usr/share/OVMF/OVMF_VARS_4M.ms.fd">/var/lib/libvirt/qemu/nvram/$1_VARS.fd</nvram>
    <boot dev="hd"/>
  </os>
  <features>
    <acpi/>
    <apic/>
    <vmport state="off"/>
    <smm state="on"/>
  </features>
  <cpu mode="host-model" check="partial"/>
  <clock offset="utc">
    <timer name="rtc" tickpolicy="catchup"/>
    <timer name="pit" tickpolicy="delay"/>
    <timer name="hpet" present="no"/>
  </clock>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <pm>
    <suspend-to-mem enabled="no"/>
    <suspend-to-disk enabled="no"/>
  </pm>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
X
    for ((i = 0; i < 24; i++)); do
        local dev
        dev=vd$(printf '%b' "\\x$(printf %x $((97 + i)))")
        cat <<X
    <disk type="file" device="disk">
      <driver name="qemu" type="qcow2" cache="none" io="native" discard="unmap"/>
      <source file="/var/lib/libvirt/images/$1-disk$i.qcow2"/>
      <target dev="$dev" bus="virtio"/>
      <iotune>
        <total_iops_sec>20000</total_iops_sec>
        <total_bytes_sec>524288000</total_bytes_sec>
      </iotune>
      <serial>disk-$1-$i</serial>
      <alias name="virtio-disk$i"/>
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </disk>
X
        bus=$((bus + 1))
    done
    for ((i = 0; i < 8; i++)); do
        cat <<X
    <disk type="block" device="disk">
      <driver name="qemu" type="raw" cache="none" io="native"/>
      <source dev="/dev/disk/by-id/wwn-0x5000c500a1b2c3$(printf %02x $i)"/>
      <target dev="sd$(printf '%b' "\\x$(printf %x $((98 + i)))")" bus="scsi"/>
      <serial>lun-$1-$i</serial>
      <address type="drive" controller="0" bus="0" target="0" unit="$((i + 1))"/>
    </disk>
X
    done
    cat <<X
    <disk type="file" device="cdrom">
      <driver name="qemu" type="raw"/>
      <source file="/var/lib/libvirt/boot/debian-12-netinst.iso"/>
      <target dev="sda" bus="sata"/>
      <readonly/>
      <address type="drive" controller="0" bus="0" target="0" unit="0"/>
    </disk>
    <controller type="usb" index="0" model="qemu-xhci" ports="15">
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </controller>
X
    bus=$((bus + 1))
    cat <<X
    <controller type="sata" index="0">
      <address type="pci" domain="0x0000" bus="0x00" slot="0x1f" function="0x2"/>
    </controller>
    <controller type="pci" index="0" model="pcie-root"/>
X
    for ((i = 1; i <= 48; i++)); do rootport "$i"; done
    cat <<X
    <controller type="scsi" index="0" model="virtio-scsi">
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </controller>
X
    bus=$((bus + 1))
    cat <<X
    <controller type="virtio-serial" index="0">
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </controller>
X
    bus=$((bus + 1))
    for ((i = 0; i < 16; i++)); do
        cat <<X
    <interface type="bridge">
      <mac address="52:54:00:6b:$(printf %02x $i):$(printf %02x $((i * 7 % 256)))"/>
      <source bridge="br$((i % 4))"/>
      <target dev="vnet$i"/>
      <model type="virtio"/>
      <link state="up"/>
      <mtu size="9000"/>
      <alias name="net$i"/>
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </interface>
X
        bus=$((bus + 1))
    done
    cat <<X
    <serial type="pty">
      <target type="isa-serial" port="0">
        <model name="isa-serial"/>
      </target>
    </serial>
    <console type="pty">
      <target type="serial" port="0"/>
    </console>
    <channel type="unix">
      <target type="virtio" name="org.qemu.guest_agent.0"/>
      <address type="virtio-serial" controller="0" bus="0" port="1"/>
    </channel>
    <channel type="spicevmc">
      <target type="virtio" name="com.redhat.spice.0"/>
      <address type="virtio-serial" controller="0" bus="0" port="2"/>
    </channel>
    <input type="tablet" bus="usb">
      <address type="usb" bus="0" port="1"/>
    </input>
    <input type="mouse" bus="ps2"/>
    <input type="keyboard" bus="ps2"/>
    <graphics type="spice" autoport="yes">
      <listen type="address"/>
      <image compression="off"/>
    </graphics>
    <sound model="ich9">
      <address type="pci" domain="0x0000" bus="0x00" slot="0x1b" function="0x0"/>
    </sound>
    <audio id="1" type="spice"/>
    <video>
      <model type="virtio" heads="1" primary="yes"/>
      <address type="pci" domain="0x0000" bus="0x00" slot="0x01" function="0x0"/>
    </video>
    <redirdev bus="usb" type="spicevmc">
      <address type="usb" bus="0" port="2"/>
    </redirdev>
    <redirdev bus="usb" type="spicevmc">
      <address type="usb" bus="0" port="3"/>
    </redirdev>
    <tpm model="tpm-crb">
      <backend type="emulator" version="2.0"/>
    </tpm>
    <filesystem type="mount" accessmode="passthrough">
      <driver type="virtiofs"/>
      <source dir="/srv/$1/shared"/>
      <target dir="shared"/>
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </filesystem>
    <memballoon model="virtio">
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </memballoon>
X
    bus=$((bus + 2))
    cat <<X
    <rng model="virtio">
      <backend model="random">/dev/urandom</backend>
      <address type="pci" domain="0x0000" bus="0x$(printf %02x $bus)" slot="0x00" function="0x0"/>
    </rng>
  </devices>
</domain>
X
}

# small_domain NAME KIND: the batch's domains, four kinds of 2 to 4 vCPUs
small_domain() {
    local v mem disks nics
    case $2 in
        web)   v=2 mem=512 disks=1 nics=1 ;;
        cache) v=2 mem=768 disks=1 nics=2 ;;
        app)   v=3 mem=512 disks=2 nics=1 ;;
        db)    v=4 mem=768 disks=3 nics=1 ;;
    esac
    cat <<X
<domain type="kvm">
  <name>$1</name>
  <memory unit="MiB">$mem</memory>
  <vcpu>$v</vcpu>
  <os>
    <type arch="x86_64" machine="q35">hvm</type>
    <boot dev="hd"/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <devices>
X
    local i
    for ((i = 0; i < disks; i++)); do
        cat <<X
    <disk type="file" device="disk">
      <driver name="qemu" type="qcow2"/>
      <source file="/var/lib/libvirt/images/$1-$i.qcow2"/>
      <target dev="vd$(printf '%b' "\\x$(printf %x $((97 + i)))")" bus="virtio"/>
    </disk>
X
    done
    for ((i = 0; i < nics; i++)); do
        cat <<X
    <interface type="network">
      <source network="default"/>
      <model type="virtio"/>
    </interface>
X
    done
    cat <<X
    <console type="pty"/>
  </devices>
</domain>
X
}

